// SPDX-License-Identifier: Apache-2.0
// createDhcp4Client(options, callback) -> Dhcp4Client | {errno, message}.
// Dhcp4Client: start() -> events[] | error, stop(release) -> events[], decline() -> events[],
// state() -> string.
// The callback receives arrays of {type: 'bound'|'renewed'|'expired'|'nak'|'stopped', lease?}.
// Events produced inside start()/stop() are returned rather than called back, so JavaScript is
// never re-entered from a call it is itself making.
#include <arpa/inet.h>

#include <cerrno>
#include <memory>

#include "io/dhcp4-runner.h"
#include "napi/addon.h"
#include "napi/convert.h"
#include "napi/fd-watcher.h"

namespace sy::napi {
namespace {

bool ReadConfig(const Napi::Object& o, io::Dhcp4Config* c, std::string* why) {
  int64_t ifindex = 0;
  std::string mac, requested;
  if (!ReadInt(o, "ifindex", true, &ifindex, why) || !ReadString(o, "ifname", true, &c->ifname, why) ||
      !ReadString(o, "mac", true, &mac, why) || !ReadString(o, "hostname", false, &c->hostname, why) ||
      !ReadString(o, "vendorClass", false, &c->vendorClass, why) ||
      !ReadString(o, "requestedAddress", false, &requested, why))
    return false;
  if (!CheckLinkOptions(ifindex, c->ifname, mac, &c->mac, why)) return false;
  c->ifindex = static_cast<int>(ifindex);
  c->requestedAddress = 0;
  if (!requested.empty()) {
    in_addr a{};
    if (inet_pton(AF_INET, requested.c_str(), &a) != 1) return *why = "requestedAddress is not IPv4", false;
    c->requestedAddress = a.s_addr;  // already network order
  }
  return true;
}

Napi::Object LeaseToJs(Napi::Env env, const io::Dhcp4LeaseOut& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("address", l.address);
  o.Set("prefixLength", Napi::Number::New(env, l.prefixLength));
  o.Set("serverId", l.serverId);
  o.Set("routers", StringsToJs(env, l.routers));
  o.Set("dns", StringsToJs(env, l.dns));
  o.Set("ntp", StringsToJs(env, l.ntp));
  if (!l.domainName.empty()) o.Set("domainName", l.domainName);
  if (!l.hostname.empty()) o.Set("hostname", l.hostname);
  if (!l.searchDomains.empty()) o.Set("searchDomains", StringsToJs(env, l.searchDomains));
  if (!l.wpadUrl.empty()) o.Set("wpadUrl", l.wpadUrl);
  if (!l.captivePortalUrl.empty()) o.Set("captivePortalUrl", l.captivePortalUrl);
  auto routes = [&](const std::vector<io::Dhcp4LeaseOut::Route>& v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      Napi::Object r = Napi::Object::New(env);
      r.Set("destination", v[i].destination);
      r.Set("prefixLength", Napi::Number::New(env, v[i].prefixLength));
      r.Set("gateway", v[i].gateway);
      a.Set(i, r);
    }
    return a;
  };
  if (!l.classlessRoutes.empty()) o.Set("classlessRoutes", routes(l.classlessRoutes));
  if (!l.staticRoutes.empty()) o.Set("staticRoutes", routes(l.staticRoutes));
  if (l.mtu != 0) o.Set("mtu", Napi::Number::New(env, l.mtu));
  if (!l.broadcast.empty()) o.Set("broadcast", l.broadcast);
  o.Set("leaseTime", Napi::Number::New(env, l.leaseTime));
  o.Set("t1", Napi::Number::New(env, l.t1));
  o.Set("t2", Napi::Number::New(env, l.t2));
  return o;
}

Napi::Array EventsToJs(Napi::Env env, const std::vector<io::Dhcp4EventOut>& events) {
  Napi::Array arr = Napi::Array::New(env, events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    Napi::Object o = Napi::Object::New(env);
    switch (e.type) {
      case io::Dhcp4EventOut::Bound:
        o.Set("type", "bound");
        o.Set("lease", LeaseToJs(env, e.lease));
        break;
      case io::Dhcp4EventOut::Renewed:
        o.Set("type", "renewed");
        o.Set("lease", LeaseToJs(env, e.lease));
        break;
      case io::Dhcp4EventOut::Expired: o.Set("type", "expired"); break;
      case io::Dhcp4EventOut::Nak: o.Set("type", "nak"); break;
      case io::Dhcp4EventOut::Stopped: o.Set("type", "stopped"); break;
      case io::Dhcp4EventOut::Declined: o.Set("type", "declined"); break;
      case io::Dhcp4EventOut::NoLease: o.Set("type", "no-lease"); break;
    }
    arr.Set(i, o);
  }
  return arr;
}

class Dhcp4ClientWrap : public Napi::ObjectWrap<Dhcp4ClientWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Dhcp4Client",
                       {InstanceMethod<&Dhcp4ClientWrap::Start>("start"),
                        InstanceMethod<&Dhcp4ClientWrap::Stop>("stop"),
                        InstanceMethod<&Dhcp4ClientWrap::Decline>("decline"),
                        InstanceMethod<&Dhcp4ClientWrap::State>("state")});
  }

  // Only createDhcp4Client constructs this, passing the runner it made as an External.
  explicit Dhcp4ClientWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<Dhcp4ClientWrap>(info), watcher_(OnReadable, this) {
    if (info.Length() < 2 || !info[0].IsExternal() || !info[1].IsFunction()) {
      Napi::TypeError::New(info.Env(), "use createDhcp4Client(options, callback)").ThrowAsJavaScriptException();
      return;
    }
    runner_.reset(info[0].As<Napi::External<io::Dhcp4Runner>>().Data());
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
  }

  ~Dhcp4ClientWrap() override { watcher_.Stop(); }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!runner_) return MakeError(env, EINVAL, "dhcp4 client is stopped (or was never constructed)");
    if (!watcher_.active()) {
      const int rc = watcher_.Start(env, runner_->fd());
      if (rc != 0) return MakeError(env, EIO, "dhcp4: cannot watch fd (libuv error " + std::to_string(rc) + ")");
      Ref();  // keep the wrapper alive while the engine runs, whatever JS holds
    }
    runner_->start();
    return EventsToJs(env, runner_->popEvents());
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!runner_) return Napi::Array::New(env);
    const bool release = info.Length() > 0 && info[0].ToBoolean().Value();
    runner_->stop(release);
    if (watcher_.active()) {
      watcher_.Stop();
      Unref();
    }
    Napi::Value events = EventsToJs(env, runner_->popEvents());
    // Close the sockets, timerfd and epoll fd now: waiting for the wrapper's garbage collection let a
    // flapping link pile up descriptors (found by the carrier-flap drill). A stopped client is done;
    // JavaScript creates a new one to start again.
    runner_.reset();
    return events;
  }

  Napi::Value Decline(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!runner_) return Napi::Array::New(env);
    runner_->decline();
    return EventsToJs(env, runner_->popEvents());
  }

  Napi::Value State(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), runner_ ? runner_->stateName() : "stopped");
  }

  static void OnReadable(void* ctx) { static_cast<Dhcp4ClientWrap*>(ctx)->Deliver(); }

  void Deliver() {
    if (!runner_) return;
    runner_->dispatch();
    std::vector<io::Dhcp4EventOut> events = runner_->popEvents();
    if (events.empty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    CallFromLoop(env, Value(), callback_, EventsToJs(env, events));
  }

  std::unique_ptr<io::Dhcp4Runner> runner_;
  Napi::FunctionReference callback_;
  FdWatcher watcher_;  // declared last: stops polling before the runner closes its fd
};

Napi::Value CreateDhcp4Client(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    return MakeError(env, EINVAL, "createDhcp4Client(options, callback): bad arguments");
  io::Dhcp4Config config{};
  std::string why;
  if (!ReadConfig(info[0].As<Napi::Object>(), &config, &why)) return MakeError(env, EINVAL, "dhcp4 options: " + why);
  std::string err;
  std::unique_ptr<io::Dhcp4Runner> runner = io::Dhcp4Runner::Create(config, &err);
  if (!runner) {
    // The runner reports text only; the usual causes are missing privileges or a vanished link.
    return MakeError(env, EIO, "dhcp4 on " + config.ifname + ": " + (err.empty() ? "cannot create client" : err));
  }
  return NewRunnerObject(env, env.GetInstanceData<InstanceData>()->dhcp4ClientCtor, std::move(runner), info[1],
                         "dhcp4");
}

}  // namespace

void InitDhcp4Client(Napi::Env env, Napi::Object exports, InstanceData* data) {
  Napi::Function ctor = Dhcp4ClientWrap::Define(env);
  data->dhcp4ClientCtor = Napi::Persistent(ctor);
  exports.Set("Dhcp4Client", ctor);
  exports.Set("createDhcp4Client", Napi::Function::New(env, CreateDhcp4Client, "createDhcp4Client"));
}

}  // namespace sy::napi
