// SPDX-License-Identifier: Apache-2.0
// rtnetlink through libnl-route-3. This header keeps libnl out of every other translation unit:
// callers see plain structs, an fd to poll, and errors as positive errno values.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sy::io {

// Result of a request: err is a positive errno (0 = success), message is for humans.
struct NlStatus {
  int err = 0;
  std::string message;
  bool ok() const { return err == 0; }
  static NlStatus Fail(int err, std::string message) { return NlStatus{err, std::move(message)}; }
};

struct LinkOut {
  int index = 0;
  std::string name;
  unsigned arphrd = 0;
  std::string mac;  // "aa:bb:cc:dd:ee:ff", "" when the link has no 6-byte address
  uint32_t flags = 0;
  uint32_t mtu = 0;
  unsigned operstate = 0;
  std::string kind;  // IFLA_INFO_KIND
  bool wireless = false;
};

struct AddrOut {
  int index = 0;
  int family = 0;  // 4 or 6
  std::string address;
  int prefixLength = 0;
  uint32_t flags = 0;
  int scope = 0;
};

struct RouteOut {
  int family = 0;  // 4 or 6
  std::string dst;  // "" for the default route
  int prefixLength = 0;
  std::string gateway;  // "" when on-link
  int oif = 0;
  std::string prefsrc;
  uint32_t table = 0;
  uint32_t metric = 0;
  int scope = 0;
  int protocol = 0;
  int type = 0;  // RTN_*
};

struct RuleOut {
  int family = 0;
  uint32_t priority = 0;
  uint32_t table = 0;
  std::string src;  // "" = from all
  int srcLength = 0;
  uint32_t fwmark = 0, fwmask = 0;
  int action = 0;  // FR_ACT_*
};

struct NetlinkEventOut {
  enum Type { LinkNew, LinkDel, AddrNew, AddrDel, RouteNew, RouteDel, RuleNew, RuleDel } type;
  LinkOut link;  // LinkNew, LinkDel
  AddrOut addr;  // AddrNew, AddrDel
  RouteOut route;  // RouteNew, RouteDel
  RuleOut rule;  // RuleNew, RuleDel
};

// Kernel-reported link, address, route and rule changes, read from a non-blocking socket on the caller's loop.
class NetlinkMonitor {
 public:
  // Subscribes to link and IPv4/IPv6 address groups. nullptr and *st set on failure.
  static std::unique_ptr<NetlinkMonitor> Create(NlStatus* st);
  ~NetlinkMonitor();

  int fd() const;
  uint32_t portId() const;
  // Reads what is queued; call when fd() is readable. Never blocks.
  void dispatch();
  std::vector<NetlinkEventOut> popEvents();
  // Tells the monitor which links and addresses the caller already knows (from its own dump), so a
  // resync after a receive-buffer overrun can report the ones that vanished meanwhile.
  void seed(const std::vector<LinkOut>& links, const std::vector<AddrOut>& addrs);
  // Likewise for routes (every table) and policy rules.
  void seedRoutes(const std::vector<RouteOut>& routes, const std::vector<RuleOut>& rules);

  // Messages dropped because a userspace process, not the kernel, sent them.
  uint64_t spoofedDropped() const;
  uint64_t overruns() const;

  NetlinkMonitor(const NetlinkMonitor&) = delete;
  NetlinkMonitor& operator=(const NetlinkMonitor&) = delete;

  struct Impl;

 private:
  explicit NetlinkMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A policy rule: "from <src>/<len> fwmark <mark>/<mask> lookup <table>" at a priority.
struct RuleReq {
  int family = 4;
  uint32_t priority = 0;
  bool hasPriority = false;
  uint32_t table = 0;
  std::string src;  // "" = from all
  int srcLength = 0;
  uint32_t fwmark = 0, fwmask = 0;
};

struct AddressReq {
  int index = 0;
  int family = 4;
  std::string address;
  int prefixLength = 0;
  std::string broadcast;  // "" = none
  bool hasValid = false, hasPreferred = false;
  uint32_t validLifetime = 0xffffffff, preferredLifetime = 0xffffffff;
};

struct RouteReq {
  int family = 4;
  std::string dst;  // "" = default
  int prefixLength = 0;
  std::string gateway;  // "" = on-link
  int oif = 0;
  std::string prefsrc;
  uint32_t table = 0;  // 0 = main
  bool hasMetric = false;
  uint32_t metric = 0;
  int scope = -1;  // -1 = let the kernel rules decide (link without gateway, universe with one)
};

// Synchronous requests on their own socket: each call sends one message and waits for the kernel's
// ACK, so the caller learns the real errno (EEXIST, ENODEV, ...). rtnetlink answers inside sendmsg,
// so the wait is short.
class NetlinkControl {
 public:
  static std::unique_ptr<NetlinkControl> Create(NlStatus* st);
  ~NetlinkControl();

  NlStatus setLinkUp(int index, bool up);
  NlStatus addAddress(const AddressReq& req);
  NlStatus delAddress(const AddressReq& req);
  NlStatus addRoute(const RouteReq& req);  // NLM_F_REPLACE
  NlStatus delRoute(const RouteReq& req);
  NlStatus listLinks(std::vector<LinkOut>* out);
  NlStatus listAddresses(int index, int family /*0 both*/, std::vector<AddrOut>* out);
  // Every route of the family (0 both) in every table, or in one table when table != 0.
  NlStatus listRoutes(int family, uint32_t table, std::vector<RouteOut>* out);
  NlStatus addRule(const RuleReq& req);
  NlStatus delRule(const RuleReq& req);
  NlStatus listRules(int family, std::vector<RuleOut>* out);
  NlStatus setLinkMtu(int index, uint32_t mtu);
  // A sit tunnel, remote any, from `local` (IPv4), created up; mtu 0 = the kernel's. *index gets its
  // ifindex. delLink removes any link (the tunnel again).
  NlStatus addSitTunnel(const std::string& name, const std::string& local, uint8_t ttl, uint32_t mtu, int* index);
  NlStatus delLink(int index);

  NetlinkControl(const NetlinkControl&) = delete;
  NetlinkControl& operator=(const NetlinkControl&) = delete;

  struct Impl;

 private:
  explicit NetlinkControl(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::io
