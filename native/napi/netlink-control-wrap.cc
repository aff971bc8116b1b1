// SPDX-License-Identifier: Apache-2.0
// JS class NetlinkControl(): synchronous rtnetlink requests. Each method returns null (done) or
// {errno, message}; the list methods return an array or {errno, message}.
#include <cerrno>
#include <memory>

#include "io/netlink.h"
#include "napi/addon.h"
#include "napi/convert.h"
#include "napi/netlink-convert.h"

namespace sy::napi {
namespace {

bool ReadAddressReq(const Napi::Object& o, io::AddressReq* r, std::string* why) {
  int64_t index = 0, family = 0, prefix = 0, valid = -1, preferred = -1;
  if (!ReadInt(o, "index", true, &index, why) || !ReadInt(o, "family", true, &family, why) ||
      !ReadString(o, "address", true, &r->address, why) || !ReadInt(o, "prefixLength", true, &prefix, why) ||
      !ReadString(o, "broadcast", false, &r->broadcast, why) ||
      !ReadInt(o, "validLifetime", false, &valid, why) || !ReadInt(o, "preferredLifetime", false, &preferred, why))
    return false;
  if (index <= 0 || index > INT32_MAX) return *why = "index out of range", false;
  if (prefix < 0 || prefix > 128) return *why = "prefixLength out of range", false;
  if (valid > 0xffffffffLL || preferred > 0xffffffffLL || valid < -1 || preferred < -1)
    return *why = "lifetime out of range", false;
  r->index = static_cast<int>(index);
  r->family = static_cast<int>(family);
  r->prefixLength = static_cast<int>(prefix);
  r->hasValid = valid >= 0;
  r->hasPreferred = preferred >= 0;
  if (r->hasValid) r->validLifetime = static_cast<uint32_t>(valid);
  if (r->hasPreferred) r->preferredLifetime = static_cast<uint32_t>(preferred);
  return true;
}

bool ReadRouteReq(const Napi::Object& o, io::RouteReq* r, std::string* why) {
  int64_t family = 0, prefix = 0, oif = 0, table = 0, metric = -1, scope = -1;
  if (!ReadInt(o, "family", true, &family, why) || !ReadString(o, "dst", false, &r->dst, why) ||
      !ReadInt(o, "prefixLength", true, &prefix, why) || !ReadString(o, "gateway", false, &r->gateway, why) ||
      !ReadInt(o, "oif", true, &oif, why) || !ReadString(o, "prefsrc", false, &r->prefsrc, why) ||
      !ReadInt(o, "table", false, &table, why) || !ReadInt(o, "metric", false, &metric, why) ||
      !ReadInt(o, "scope", false, &scope, why))
    return false;
  if (prefix < 0 || prefix > 128) return *why = "prefixLength out of range", false;
  if (oif < 0 || oif > INT32_MAX) return *why = "oif out of range", false;
  if (table < 0 || table > 0xffffffffLL) return *why = "table out of range", false;
  if (metric < -1 || metric > 0xffffffffLL) return *why = "metric out of range", false;
  if (scope < -1 || scope > 255) return *why = "scope out of range", false;
  r->family = static_cast<int>(family);
  r->prefixLength = static_cast<int>(prefix);
  r->oif = static_cast<int>(oif);
  r->table = static_cast<uint32_t>(table);
  r->hasMetric = metric >= 0;
  if (r->hasMetric) r->metric = static_cast<uint32_t>(metric);
  r->scope = static_cast<int>(scope);
  return true;
}

class NetlinkControlWrap : public Napi::ObjectWrap<NetlinkControlWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkControl",
                       {InstanceMethod<&NetlinkControlWrap::SetLinkUp>("setLinkUp"),
                        InstanceMethod<&NetlinkControlWrap::AddAddress>("addAddress"),
                        InstanceMethod<&NetlinkControlWrap::DelAddress>("delAddress"),
                        InstanceMethod<&NetlinkControlWrap::AddRoute>("addRoute"),
                        InstanceMethod<&NetlinkControlWrap::DelRoute>("delRoute"),
                        InstanceMethod<&NetlinkControlWrap::ListLinks>("listLinks"),
                        InstanceMethod<&NetlinkControlWrap::ListAddresses>("listAddresses"),
                        InstanceMethod<&NetlinkControlWrap::ListRoutes>("listRoutes"),
                        InstanceMethod<&NetlinkControlWrap::AddRule>("addRule"),
                        InstanceMethod<&NetlinkControlWrap::DelRule>("delRule"),
                        InstanceMethod<&NetlinkControlWrap::ListRules>("listRules"),
                        InstanceMethod<&NetlinkControlWrap::SetLinkMtu>("setLinkMtu"),
                        InstanceMethod<&NetlinkControlWrap::AddSitTunnel>("addSitTunnel"),
                        InstanceMethod<&NetlinkControlWrap::DelLink>("delLink")});
  }

  explicit NetlinkControlWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkControlWrap>(info) {}

 private:
  // The socket is opened on first use so that a failure comes back as a value from a request.
  io::NetlinkControl* control(io::NlStatus* st) {
    if (!control_) control_ = io::NetlinkControl::Create(st);
    return control_.get();
  }

  template <typename Fn>
  Napi::Value Run(const Napi::CallbackInfo& info, Fn&& fn) {
    io::NlStatus st;
    io::NetlinkControl* c = control(&st);
    if (c == nullptr) return MakeError(info.Env(), st.err, st.message);
    return fn(c);
  }

  Napi::Value SetLinkUp(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsBoolean())
      return MakeError(env, EINVAL, "setLinkUp(index, up): bad arguments");
    const int index = info[0].As<Napi::Number>().Int32Value();
    const bool up = info[1].As<Napi::Boolean>().Value();
    return Run(info, [&](io::NetlinkControl* c) { return StatusToJs(env, c->setLinkUp(index, up)); });
  }

  Napi::Value Address(const Napi::CallbackInfo& info, bool add) {
    Napi::Env env = info.Env();
    io::AddressReq req;
    std::string why;
    if (info.Length() < 1 || !info[0].IsObject()) why = "address spec must be an object";
    else ReadAddressReq(info[0].As<Napi::Object>(), &req, &why);
    if (!why.empty()) return MakeError(env, EINVAL, "address spec: " + why);
    return Run(info, [&](io::NetlinkControl* c) {
      return StatusToJs(env, add ? c->addAddress(req) : c->delAddress(req));
    });
  }
  Napi::Value AddAddress(const Napi::CallbackInfo& info) { return Address(info, true); }
  Napi::Value DelAddress(const Napi::CallbackInfo& info) { return Address(info, false); }

  Napi::Value Route(const Napi::CallbackInfo& info, bool add) {
    Napi::Env env = info.Env();
    io::RouteReq req;
    std::string why;
    if (info.Length() < 1 || !info[0].IsObject()) why = "route spec must be an object";
    else ReadRouteReq(info[0].As<Napi::Object>(), &req, &why);
    if (!why.empty()) return MakeError(env, EINVAL, "route spec: " + why);
    return Run(info, [&](io::NetlinkControl* c) {
      return StatusToJs(env, add ? c->addRoute(req) : c->delRoute(req));
    });
  }
  Napi::Value AddRoute(const Napi::CallbackInfo& info) { return Route(info, true); }
  Napi::Value DelRoute(const Napi::CallbackInfo& info) { return Route(info, false); }

  Napi::Value ListLinks(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Run(info, [&](io::NetlinkControl* c) -> Napi::Value {
      std::vector<io::LinkOut> links;
      io::NlStatus st = c->listLinks(&links);
      if (!st.ok()) return MakeError(env, st.err, st.message);
      Napi::Array out = Napi::Array::New(env, links.size());
      for (size_t i = 0; i < links.size(); ++i) out.Set(i, LinkToJs(env, links[i]));
      return out;
    });
  }

  Napi::Value ListAddresses(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
      return MakeError(env, EINVAL, "listAddresses(index, family): bad arguments");
    const int index = info[0].As<Napi::Number>().Int32Value();
    const int family = info[1].As<Napi::Number>().Int32Value();
    return Run(info, [&](io::NetlinkControl* c) -> Napi::Value {
      std::vector<io::AddrOut> addrs;
      io::NlStatus st = c->listAddresses(index, family, &addrs);
      if (!st.ok()) return MakeError(env, st.err, st.message);
      Napi::Array out = Napi::Array::New(env, addrs.size());
      for (size_t i = 0; i < addrs.size(); ++i) out.Set(i, AddrToJs(env, addrs[i]));
      return out;
    });
  }

  Napi::Value ListRoutes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
      return MakeError(env, EINVAL, "listRoutes(family, table): bad arguments");
    const int family = info[0].As<Napi::Number>().Int32Value();
    const int64_t table = info[1].As<Napi::Number>().Int64Value();
    if (table < 0 || table > 0xffffffffLL) return MakeError(env, EINVAL, "listRoutes: table out of range");
    return Run(info, [&](io::NetlinkControl* c) -> Napi::Value {
      std::vector<io::RouteOut> routes;
      io::NlStatus st = c->listRoutes(family, static_cast<uint32_t>(table), &routes);
      if (!st.ok()) return MakeError(env, st.err, st.message);
      Napi::Array out = Napi::Array::New(env, routes.size());
      for (size_t i = 0; i < routes.size(); ++i) out.Set(i, RouteToJs(env, routes[i]));
      return out;
    });
  }

  Napi::Value Rule(const Napi::CallbackInfo& info, bool add) {
    Napi::Env env = info.Env();
    io::RuleReq req;
    std::string why;
    if (info.Length() < 1 || !info[0].IsObject()) why = "rule spec must be an object";
    else ReadRuleReq(info[0].As<Napi::Object>(), &req, &why);
    if (!why.empty()) return MakeError(env, EINVAL, "rule spec: " + why);
    return Run(info, [&](io::NetlinkControl* c) { return StatusToJs(env, add ? c->addRule(req) : c->delRule(req)); });
  }
  Napi::Value AddRule(const Napi::CallbackInfo& info) { return Rule(info, true); }
  Napi::Value DelRule(const Napi::CallbackInfo& info) { return Rule(info, false); }

  Napi::Value ListRules(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) return MakeError(env, EINVAL, "listRules(family): bad arguments");
    const int family = info[0].As<Napi::Number>().Int32Value();
    return Run(info, [&](io::NetlinkControl* c) -> Napi::Value {
      std::vector<io::RuleOut> rules;
      io::NlStatus st = c->listRules(family, &rules);
      if (!st.ok()) return MakeError(env, st.err, st.message);
      Napi::Array out = Napi::Array::New(env, rules.size());
      for (size_t i = 0; i < rules.size(); ++i) out.Set(i, RuleToJs(env, rules[i]));
      return out;
    });
  }

  Napi::Value SetLinkMtu(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
      return MakeError(env, EINVAL, "setLinkMtu(index, mtu): bad arguments");
    const int index = info[0].As<Napi::Number>().Int32Value();
    const int64_t mtu = info[1].As<Napi::Number>().Int64Value();
    if (mtu < 0 || mtu > 0xffffffffLL) return MakeError(env, EINVAL, "setLinkMtu: mtu out of range");
    return Run(info, [&](io::NetlinkControl* c) { return StatusToJs(env, c->setLinkMtu(index, static_cast<uint32_t>(mtu))); });
  }

  // addSitTunnel(name, local, ttl, mtu) -> ifindex | {errno, message}
  Napi::Value AddSitTunnel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsString() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsNumber())
      return MakeError(env, EINVAL, "addSitTunnel(name, local, ttl, mtu): bad arguments");
    const std::string name = info[0].As<Napi::String>().Utf8Value();
    const std::string local = info[1].As<Napi::String>().Utf8Value();
    const int64_t ttl = info[2].As<Napi::Number>().Int64Value();
    const int64_t mtu = info[3].As<Napi::Number>().Int64Value();
    if (ttl < 0 || ttl > 255 || mtu < 0 || mtu > 65535) return MakeError(env, EINVAL, "addSitTunnel: ttl or mtu out of range");
    return Run(info, [&](io::NetlinkControl* c) -> Napi::Value {
      int index = 0;
      io::NlStatus st = c->addSitTunnel(name, local, static_cast<uint8_t>(ttl), static_cast<uint32_t>(mtu), &index);
      if (!st.ok()) return MakeError(env, st.err, st.message);
      return Napi::Number::New(env, index);
    });
  }

  Napi::Value DelLink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) return MakeError(env, EINVAL, "delLink(index): bad arguments");
    const int index = info[0].As<Napi::Number>().Int32Value();
    return Run(info, [&](io::NetlinkControl* c) { return StatusToJs(env, c->delLink(index)); });
  }

  std::unique_ptr<io::NetlinkControl> control_;
};

}  // namespace

void InitNetlinkControl(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkControl", NetlinkControlWrap::Define(env));
}

}  // namespace sy::napi
