// SPDX-License-Identifier: Apache-2.0
// Runs the real Dhcp4Runner on one interface until it is bound (or a timeout),
// prints the lease, then optionally stops with DHCPRELEASE. Used by realnet.sh.
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <linux/if.h>
#include <unistd.h>

#include "../../../native/io/dhcp4-runner.h"

using sy::io::Dhcp4EventOut;

static const char* typeName(Dhcp4EventOut::Type t) {
  switch (t) {
    case Dhcp4EventOut::Bound: return "bound";
    case Dhcp4EventOut::Renewed: return "renewed";
    case Dhcp4EventOut::Expired: return "expired";
    case Dhcp4EventOut::Nak: return "nak";
    case Dhcp4EventOut::Stopped: return "stopped";
  }
  return "?";
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s IFNAME [timeout-seconds] [requested-ip|-] [bind|release|renew]\n",
                 argv[0]);
    return 2;
  }
  sy::io::Dhcp4Config c{};
  c.ifname = argv[1];
  c.ifindex = static_cast<int>(if_nametoindex(argv[1]));
  int timeout = argc > 2 ? std::atoi(argv[2]) : 30;
  if (argc > 3 && std::strcmp(argv[3], "-") != 0) inet_pton(AF_INET, argv[3], &c.requestedAddress);
  std::string mode = argc > 4 ? argv[4] : "bind";
  bool release = mode != "bind";
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
  if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) std::memcpy(c.mac.data(), ifr.ifr_hwaddr.sa_data, 6);
  close(s);
  c.hostname = "sy-probe";
  c.vendorClass = "switchyard";
  std::string err;
  auto r = sy::io::Dhcp4Runner::Create(c, &err);
  if (!r) {
    std::printf("create failed: %s\n", err.c_str());
    return 1;
  }
  r->start();
  std::printf("state %s\n", r->stateName());
  time_t end = time(nullptr) + timeout;
  bool bound = false, renewed = false;
  auto done = [&] { return mode == "renew" ? renewed : bound; };
  while (!done() && time(nullptr) < end) {
    pollfd p{r->fd(), POLLIN, 0};
    if (poll(&p, 1, 1000) > 0) r->dispatch();
    for (const auto& e : r->popEvents()) {
      std::printf("event %s", typeName(e.type));
      if (e.type == Dhcp4EventOut::Bound || e.type == Dhcp4EventOut::Renewed) {
        const auto& l = e.lease;
        std::printf(" address=%s/%d server=%s broadcast=%s lease=%u t1=%u t2=%u mtu=%u domain=%s",
                    l.address.c_str(), l.prefixLength, l.serverId.c_str(), l.broadcast.c_str(),
                    l.leaseTime, l.t1, l.t2, l.mtu, l.domainName.c_str());
        for (const auto& x : l.routers) std::printf(" router=%s", x.c_str());
        for (const auto& x : l.dns) std::printf(" dns=%s", x.c_str());
        for (const auto& x : l.ntp) std::printf(" ntp=%s", x.c_str());
        if (e.type == Dhcp4EventOut::Renewed) renewed = true;
        if (!bound && release) {
          // Unicast RENEW and RELEASE need the address on the interface, as core would apply it.
          char cmd[160];
          std::snprintf(cmd, sizeof cmd, "ip addr add %s/%d dev %s", l.address.c_str(),
                        l.prefixLength, c.ifname.c_str());
          if (std::system(cmd) != 0) std::printf("(%s failed)\n", cmd);
        }
        bound = true;
      }
      std::printf("\n");
    }
  }
  std::printf("state %s\n", r->stateName());
  r->stop(release);
  for (const auto& e : r->popEvents()) std::printf("event %s\n", typeName(e.type));
  return done() ? 0 : 1;
}
