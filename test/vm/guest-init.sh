#!/bin/busybox sh
# PID 1 of the test guest (copied into the initramfs by build-initramfs.sh). It loads the few modules
# needed to reach the host, builds the root (host / read-only over 9p, tmpfs overlay on top), runs the job
# from the results share inside that root, records its exit status there and powers the guest off.
# Nothing here configures a network interface other than lo: the guest has no NIC at all.
/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "vm-guest: $*" > /dev/console; }
fail() { say "FATAL: $*"; sync; poweroff -f; sleep 5; exit 1; }

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null

while read -r m; do
  insmod "/modules/$m" || fail "insmod $m"
done < /modules/load-order

# The host root changes under us only through other helpers' builds; the guest is short-lived, so the
# page cache may keep what it read (cache=loose makes node and modprobe several times faster).
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower || fail "9p hostroot"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "overlay"

R=/newroot
# The kernel runs /sbin/modprobe (crypto algorithms, net-pf-*, ...) from the initramfs root, which PID 1
# never leaves: forward those requests into the real root, where the guest kernel's modules are.
mkdir -p /sbin
printf '#!/bin/sh\nexec /bin/chroot %s /sbin/modprobe "$@"\n' "$R" > /sbin/modprobe
chmod 755 /sbin/modprobe
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 shm $R/dev/shm
mount -t tmpfs -o mode=0755 run $R/run
mount -t tmpfs -o mode=1777 tmp $R/tmp
mount -t tmpfs -o mode=1777 vartmp $R/var/tmp
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mkdir -p $R/run/vm-results $R/run/lock
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results $R/run/vm-results || fail "9p results"
repo=$(cat $R/run/vm-results/repo 2>/dev/null)
if [ -n "$repo" ]; then
  mkdir -p "$R$repo"
  mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 repo "$R$repo" || fail "9p repo"
fi
hostname guest
ip link set lo up

cwd=$(cat $R/run/vm-results/cwd 2>/dev/null || echo /)
cat /proc/uptime > $R/run/vm-results/started
say "job start (uptime $(cut -d' ' -f1 /proc/uptime) s)"
# vmtee=1 on the kernel command line (run-in-guest.sh --verbose) mirrors the job's output on the console.
job() {
  chroot $R /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 VM_RESULTS=/run/vm-results \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/sh -c 'cd "$1" 2>/dev/null || cd /; exec /run/vm-results/job' job "$cwd" < /dev/null 2>&1
  echo $? > $R/run/vm-results/status.tmp
}
if [ "$vmtee" = 1 ]; then
  job | tee $R/run/vm-results/output > /dev/console
else
  job > $R/run/vm-results/output
fi
mv $R/run/vm-results/status.tmp $R/run/vm-results/status
say "job exit $(cat $R/run/vm-results/status)"
sync
umount $R/run/vm-results
poweroff -f
