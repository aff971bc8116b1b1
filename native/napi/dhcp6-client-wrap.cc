// SPDX-License-Identifier: Apache-2.0
// createDhcp6Client(options, callback) -> {start, stop, linkChanged, state, duid} | {errno, message}.
// The callback receives arrays of {type: 'bound'|'renewed'|'info'|'expired'|'stopped', lease?}.
// Events produced inside start()/stop()/linkChanged() are returned rather than called back, so
// JavaScript is never re-entered from a call it is itself making.
#include <cerrno>
#include <cstdio>
#include <memory>

#include "io/dhcp6-runner.h"
#include "napi/addon.h"
#include "napi/convert.h"
#include "napi/fd-watcher.h"

namespace sy::napi {
namespace {

bool ParseHex(const std::string& s, std::vector<uint8_t>* out) {
  if (s.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    unsigned v;
    if (std::sscanf(s.c_str() + i, "%2x", &v) != 1) return false;
    out->push_back(static_cast<uint8_t>(v));
  }
  return true;
}

bool ReadBool(const Napi::Object& o, const char* key, bool* out, std::string* why) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsBoolean()) return *why = std::string(key) + " must be a boolean", false;
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool ReadConfig(const Napi::Object& o, io::Dhcp6Config* c, std::string* why) {
  int64_t ifindex = 0, hint = 0;
  std::string mac, duid, mode = "stateful";
  if (!ReadInt(o, "ifindex", true, &ifindex, why) || !ReadString(o, "ifname", true, &c->ifname, why) ||
      !ReadString(o, "mac", true, &mac, why) || !ReadString(o, "duid", false, &duid, why) ||
      !ReadString(o, "mode", false, &mode, why) || !ReadBool(o, "requestAddress", &c->requestAddress, why) ||
      !ReadBool(o, "requestPrefix", &c->requestPrefix, why) || !ReadInt(o, "prefixHint", false, &hint, why) ||
      !ReadBool(o, "rapidCommit", &c->rapidCommit, why))
    return false;
  if (!CheckLinkOptions(ifindex, c->ifname, mac, &c->mac, why)) return false;
  // RFC 8415 11.1: a DUID is 2..130 bytes (type plus up to 128).
  if (!duid.empty() && (!ParseHex(duid, &c->duid) || c->duid.size() < 3 || c->duid.size() > 130))
    return *why = "duid must be 3..130 bytes of hex", false;
  if (mode != "stateful" && mode != "stateless") return *why = "mode must be 'stateful' or 'stateless'", false;
  if (hint < 0 || hint > 128) return *why = "prefixHint must be 0..128", false;
  c->ifindex = static_cast<int>(ifindex);
  c->stateless = mode == "stateless";
  c->prefixHint = static_cast<uint8_t>(hint);
  if (!c->stateless && !c->requestAddress && !c->requestPrefix)
    return *why = "stateful mode needs requestAddress or requestPrefix", false;
  return true;
}

Napi::Array AddressesToJs(Napi::Env env, const std::vector<io::Dhcp6AddressOut>& v, const char* key) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set(key, v[i].address);
    o.Set("prefixLength", Napi::Number::New(env, v[i].prefixLength));
    o.Set("preferredLifetime", Napi::Number::New(env, v[i].preferred));
    o.Set("validLifetime", Napi::Number::New(env, v[i].valid));
    a.Set(i, o);
  }
  return a;
}

Napi::Object LeaseToJs(Napi::Env env, const io::Dhcp6LeaseOut& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("serverId", l.serverId);
  o.Set("addresses", AddressesToJs(env, l.addresses, "address"));
  o.Set("prefixes", AddressesToJs(env, l.prefixes, "prefix"));
  o.Set("dns", StringsToJs(env, l.dns));
  o.Set("domains", StringsToJs(env, l.domains));
  o.Set("ntp", StringsToJs(env, l.ntp));
  o.Set("sntp", StringsToJs(env, l.sntp));
  o.Set("t1", Napi::Number::New(env, l.t1));
  o.Set("t2", Napi::Number::New(env, l.t2));
  if (l.infoRefresh) o.Set("infoRefresh", Napi::Number::New(env, l.infoRefresh));
  return o;
}

Napi::Array EventsToJs(Napi::Env env, const std::vector<io::Dhcp6EventOut>& events) {
  Napi::Array arr = Napi::Array::New(env, events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    Napi::Object o = Napi::Object::New(env);
    switch (e.type) {
      case io::Dhcp6EventOut::Bound: o.Set("type", "bound"); break;
      case io::Dhcp6EventOut::Renewed: o.Set("type", "renewed"); break;
      case io::Dhcp6EventOut::Info: o.Set("type", "info"); break;
      case io::Dhcp6EventOut::Expired: o.Set("type", "expired"); break;
      case io::Dhcp6EventOut::Stopped: o.Set("type", "stopped"); break;
    }
    if (e.type == io::Dhcp6EventOut::Bound || e.type == io::Dhcp6EventOut::Renewed ||
        e.type == io::Dhcp6EventOut::Info)
      o.Set("lease", LeaseToJs(env, e.lease));
    arr.Set(i, o);
  }
  return arr;
}

// One per client object; JS holds it through the object's finalizer, and the object is kept
// alive (self) while the engine runs, whatever JS holds.
struct Handle {
  std::unique_ptr<io::Dhcp6Runner> runner;
  Napi::FunctionReference callback;
  Napi::ObjectReference self;
  FdWatcher watcher{OnReadable, this};

  static void OnReadable(void* ctx) {
    auto* h = static_cast<Handle*>(ctx);
    h->runner->dispatch();
    std::vector<io::Dhcp6EventOut> events = h->runner->popEvents();
    if (events.empty() || h->self.IsEmpty()) return;
    Napi::Env env = h->callback.Env();
    Napi::HandleScope scope(env);
    CallFromLoop(env, h->self.Value(), h->callback, EventsToJs(env, events));
  }
};

Napi::Value CreateDhcp6Client(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    return MakeError(env, EINVAL, "createDhcp6Client(options, callback): bad arguments");
  io::Dhcp6Config config;
  std::string why;
  if (!ReadConfig(info[0].As<Napi::Object>(), &config, &why)) return MakeError(env, EINVAL, "dhcp6 options: " + why);
  std::string err;
  std::unique_ptr<io::Dhcp6Runner> runner = io::Dhcp6Runner::Create(config, &err);
  if (!runner)
    return MakeError(env, EIO, "dhcp6 on " + config.ifname + ": " + (err.empty() ? "cannot create client" : err));
  auto* h = new Handle();
  h->runner = std::move(runner);
  h->callback = Napi::Persistent(info[1].As<Napi::Function>());
  Napi::Object obj = Napi::Object::New(env);
  obj.AddFinalizer([](Napi::Env, Handle* p) { delete p; }, h);
  obj.Set("start", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    Napi::Env e = ci.Env();
    if (!h->watcher.active()) {
      const int rc = h->watcher.Start(e, h->runner->fd());
      if (rc != 0) return MakeError(e, EIO, "dhcp6: cannot watch fd (libuv error " + std::to_string(rc) + ")");
      h->self = Napi::Persistent(ci.This().As<Napi::Object>());
    }
    h->runner->start();
    return EventsToJs(e, h->runner->popEvents());
  }, "start"));
  obj.Set("stop", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    const bool release = ci.Length() > 0 && ci[0].ToBoolean().Value();
    h->runner->stop(release);
    h->watcher.Stop();
    h->self.Reset();
    return EventsToJs(ci.Env(), h->runner->popEvents());
  }, "stop"));
  obj.Set("linkChanged", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    h->runner->linkChanged();
    return EventsToJs(ci.Env(), h->runner->popEvents());
  }, "linkChanged"));
  obj.Set("state", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    return Napi::String::New(ci.Env(), h->runner->stateName());
  }, "state"));
  obj.Set("duid", Napi::String::New(env, h->runner->duidHex()));
  return obj;
}

}  // namespace

void InitDhcp6Client(Napi::Env env, Napi::Object exports) {
  exports.Set("createDhcp6Client", Napi::Function::New(env, CreateDhcp6Client, "createDhcp6Client"));
}

}  // namespace sy::napi
