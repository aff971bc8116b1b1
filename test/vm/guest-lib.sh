# Shell helpers for scripts that run inside the test guest (sourced: `. /work/.../guest-lib.sh`).
# They build a small Wi-Fi world on mac80211_hwsim radios: hostapd access points, dnsmasq handing out
# addresses, a system bus for wpa_supplicant. Everything lives in the guest's /run and /tmp.

# One fact per line for the host-side test to assert on: FACT KEY=value.
fact() { k=$1; shift; echo "FACT $k=$*"; }

# wait_until SECONDS COMMAND...: polls COMMAND every 0.2 s; fails when it never succeeds.
wait_until() {
  _deadline=$(( $(cut -d. -f1 /proc/uptime) + $1 )); shift
  until "$@" > /dev/null 2>&1; do
    [ "$(cut -d. -f1 /proc/uptime)" -lt "$_deadline" ] || { echo "wait_until: gave up on: $*" >&2; return 1; }
    sleep 0.2
  done
}

# hwsim N: N simulated radios (phy0.., wlan0..); they all hear each other on the hwsim medium.
hwsim() {
  modprobe mac80211_hwsim radios="$1"
  wait_until 10 test -e "/sys/class/net/wlan$(( $1 - 1 ))"
}

# ap_namespace NS PHY...: moves the radios (and their interfaces) into a new network namespace NS, so
# traffic between the access points and the station crosses the simulated air, not the guest's lo.
# start_ap and dhcp_server then run there.
ap_namespace() {
  _ns=$1; shift
  ip netns add "$_ns"
  for _phy in "$@"; do iw phy "$_phy" set netns name "$_ns"; done
  ip -n "$_ns" link set lo up
  AP_NS=$_ns
}
_in_ap() { if [ -n "${AP_NS:-}" ]; then ip netns exec "$AP_NS" "$@"; else "$@"; fi; }

# start_ap IFACE SSID SECURITY [PASSPHRASE] [CHANNEL] [EXTRA hostapd.conf lines]
# SECURITY: open, wpa2 (WPA2-PSK, CCMP), sae (WPA3-SAE), wpa2-sae (transition mode), wep (PASSPHRASE is
# the key), eap (WPA2-Enterprise with hostapd's internal EAP server; run make_certs first)
start_ap() {
  _if=$1 _ssid=$2 _sec=$3 _pass=${4:-} _chan=${5:-6} _extra=${6:-}
  _conf=/run/hostapd-$_if.conf
  {
    echo "interface=$_if"; echo "driver=nl80211"; echo "ssid=$_ssid"; echo "hw_mode=g"; echo "channel=$_chan"
    echo "ctrl_interface=/run/hostapd"
    case $_sec in
      open) ;;
      wpa2) echo "wpa=2"; echo "wpa_key_mgmt=WPA-PSK"; echo "rsn_pairwise=CCMP"; echo "wpa_passphrase=$_pass" ;;
      sae) echo "wpa=2"; echo "wpa_key_mgmt=SAE"; echo "rsn_pairwise=CCMP"; echo "ieee80211w=2"
           echo "sae_password=$_pass" ;;
      wpa2-sae) echo "wpa=2"; echo "wpa_key_mgmt=WPA-PSK SAE"; echo "rsn_pairwise=CCMP"; echo "ieee80211w=1"
           echo "wpa_passphrase=$_pass"; echo "sae_password=$_pass" ;;
      wep) echo "auth_algs=1"; echo "wep_default_key=0"; echo "wep_key0=\"$_pass\"" ;;
      eap) echo "wpa=2"; echo "wpa_key_mgmt=WPA-EAP"; echo "rsn_pairwise=CCMP"; echo "ieee8021x=1"
           echo "eap_server=1"; echo "eap_user_file=$CERTS/eap.users"; echo "ca_cert=$CERTS/ca.pem"
           echo "server_cert=$CERTS/server.pem"; echo "private_key=$CERTS/server.key" ;;
      *) echo "start_ap: unknown security $_sec" >&2; return 1 ;;
    esac
    [ -z "$_extra" ] || printf '%s\n' "$_extra"
  } > "$_conf"
  _in_ap hostapd -B -P "/run/hostapd-$_if.pid" -f "/tmp/hostapd-$_if.log" "$_conf" || { cat "/tmp/hostapd-$_if.log" >&2; return 1; }
  wait_until 15 sh -c "hostapd_cli -p /run/hostapd -i $_if status | grep -q '^state=ENABLED'" \
    || { cat "/tmp/hostapd-$_if.log" >&2; return 1; }
}

# make_certs DIR: a throw-away CA, a server and a client certificate (RSA 2048: iwd verifies certificates
# through the kernel's keyring, which takes RSA everywhere; slow under emulation, so the Wi-Fi tests make
# them on the host),
# and hostapd's EAP user file: any outer identity may use PEAP, TTLS or TLS; inside PEAP and TTLS the
# user "alice" with password "alice-password". Sets CERTS=DIR for start_ap's eap security.
make_certs() {
  CERTS=$1
  mkdir -p "$CERTS"
  (
    cd "$CERTS"
    _key() { openssl genrsa -out "$1" 2048 2>/dev/null; }
    _key ca.key & _key server.key & _key client.key & wait
    openssl req -x509 -new -key ca.key -subj "/CN=Switchyard test CA" -days 30 -out ca.pem 2>/dev/null
    for _n in server client; do
      openssl req -new -key "$_n.key" -subj "/CN=$_n.sy.test" -out "$_n.csr" 2>/dev/null
      printf 'extendedKeyUsage=%s\n' "$([ "$_n" = server ] && echo serverAuth || echo clientAuth)" > "$_n.ext"
      openssl x509 -req -in "$_n.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile "$_n.ext" -out "$_n.pem" 2>/dev/null
    done
    printf '%s\n' '* PEAP,TTLS,TLS' '"alice" MSCHAPV2,TTLS-MSCHAPV2 "alice-password" [2]' > eap.users
  )
}

# stop_ap IFACE
stop_ap() { kill "$(cat "/run/hostapd-$1.pid")" 2>/dev/null; rm -f "/run/hostapd-$1.pid"; }

# dhcp_server IFACE PREFIX (e.g. 192.168.77): IFACE gets PREFIX.1/24, dnsmasq leases PREFIX.50-99.
dhcp_server() {
  _in_ap ip addr add "$2.1/24" dev "$1"
  _in_ap ip link set "$1" up
  _in_ap dnsmasq --conf-file=/dev/null --user=root --no-resolv --no-hosts --port=0 --bind-interfaces \
    --interface="$1" --except-interface=lo --dhcp-range="$2.50,$2.99,255.255.255.0,1h" \
    --dhcp-leasefile="/tmp/dnsmasq-$1.leases" --pid-file="/run/dnsmasq-$1.pid" \
    --log-dhcp --log-facility="/tmp/dnsmasq-$1.log"
}

# dhcp_client IFACE: one DHCPv4 exchange with busybox udhcpc; prints the address it configured.
dhcp_client() {
  cat > /run/udhcpc.script <<'EOS'
#!/bin/sh
case "$1" in
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface"; echo "$ip" > "/run/udhcpc-$interface.ip" ;;
esac
EOS
  chmod 755 /run/udhcpc.script
  busybox udhcpc -i "$1" -n -q -f -t 10 -T 1 -s /run/udhcpc.script > "/tmp/udhcpc-$1.log" 2>&1 \
    || { cat "/tmp/udhcpc-$1.log" >&2; return 1; }
  cat "/run/udhcpc-$1.ip"
}

# system_bus: a dbus-daemon with Debian's own system bus configuration (policies from system.d,
# activation of fi.w1.wpa_supplicant1 through the setuid helper), on /run/dbus/system_bus_socket.
system_bus() {
  mkdir -p /run/dbus
  dbus-daemon --system --fork
  wait_until 10 test -S /run/dbus/system_bus_socket
}

# Background daemons are left running on purpose: the guest powers off right after the script.
