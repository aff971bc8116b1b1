// SPDX-License-Identifier: Apache-2.0
// JS class NetlinkMonitor(callback): start() -> LinkInfo[] | error, stop(), portId(), stats().
// The callback receives arrays of {type: 'link'|'address'|'route'|'rule', op: 'new'|'del', <type>: {...}}.
#include <cerrno>
#include <memory>

#include "io/netlink.h"
#include "napi/addon.h"
#include "napi/convert.h"
#include "napi/netlink-convert.h"
#include "napi/fd-watcher.h"

namespace sy::napi {
namespace {

class NetlinkMonitorWrap : public Napi::ObjectWrap<NetlinkMonitorWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkMonitor",
                       {InstanceMethod<&NetlinkMonitorWrap::Start>("start"),
                        InstanceMethod<&NetlinkMonitorWrap::Stop>("stop"),
                        InstanceMethod<&NetlinkMonitorWrap::PortId>("portId"),
                        InstanceMethod<&NetlinkMonitorWrap::Stats>("stats")});
  }

  explicit NetlinkMonitorWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NetlinkMonitorWrap>(info), watcher_(OnReadable, this) {
    if (info.Length() < 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(info.Env(), "NetlinkMonitor(callback): callback must be a function")
          .ThrowAsJavaScriptException();
      return;
    }
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
  }

  ~NetlinkMonitorWrap() override { watcher_.Stop(); }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (monitor_) return MakeError(env, EALREADY, "netlink monitor already started");
    // Subscribe before dumping, so nothing that changes between the two is lost; a change seen
    // twice only repeats a 'new'.
    io::NlStatus st;
    auto monitor = io::NetlinkMonitor::Create(&st);
    if (!monitor) return MakeError(env, st.err, st.message);
    auto control = io::NetlinkControl::Create(&st);
    if (!control) return MakeError(env, st.err, st.message);
    std::vector<io::LinkOut> links;
    std::vector<io::AddrOut> addrs;
    st = control->listLinks(&links);
    if (st.ok()) st = control->listAddresses(0, 0, &addrs);
    if (!st.ok()) return MakeError(env, st.err, st.message);
    monitor->seed(links, addrs);
    std::vector<io::RouteOut> routes;
    std::vector<io::RuleOut> rules;
    st = control->listRoutes(0, 0, &routes);
    if (st.ok()) st = control->listRules(0, &rules);
    if (!st.ok()) return MakeError(env, st.err, st.message);
    monitor->seedRoutes(routes, rules);
    const int rc = watcher_.Start(env, monitor->fd());
    if (rc != 0) return MakeError(env, EIO, "netlink monitor: cannot watch socket (libuv error " + std::to_string(rc) + ")");
    monitor_ = std::move(monitor);
    Ref();  // events must keep flowing even if JS drops its last reference while started
    Napi::Array out = Napi::Array::New(env, links.size());
    for (size_t i = 0; i < links.size(); ++i) out.Set(i, LinkToJs(env, links[i]));
    return out;
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (monitor_) {
      watcher_.Stop();
      monitor_.reset();
      Unref();
    }
    return info.Env().Undefined();
  }

  Napi::Value PortId(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), monitor_ ? monitor_->portId() : 0);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("spoofedDropped", Napi::Number::New(env, monitor_ ? static_cast<double>(monitor_->spoofedDropped()) : 0));
    o.Set("overruns", Napi::Number::New(env, monitor_ ? static_cast<double>(monitor_->overruns()) : 0));
    return o;
  }

  static void OnReadable(void* ctx) { static_cast<NetlinkMonitorWrap*>(ctx)->Deliver(); }

  void Deliver() {
    if (!monitor_) return;
    monitor_->dispatch();
    std::vector<io::NetlinkEventOut> events = monitor_->popEvents();
    if (events.empty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Array arr = Napi::Array::New(env, events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      Napi::Object o = Napi::Object::New(env);
      using E = io::NetlinkEventOut;
      const bool isNew = e.type == E::LinkNew || e.type == E::AddrNew || e.type == E::RouteNew || e.type == E::RuleNew;
      o.Set("op", isNew ? "new" : "del");
      switch (e.type) {
        case E::LinkNew:
        case E::LinkDel: o.Set("type", "link"); o.Set("link", LinkToJs(env, e.link)); break;
        case E::AddrNew:
        case E::AddrDel: o.Set("type", "address"); o.Set("address", AddrToJs(env, e.addr)); break;
        case E::RouteNew:
        case E::RouteDel: o.Set("type", "route"); o.Set("route", RouteToJs(env, e.route)); break;
        case E::RuleNew:
        case E::RuleDel: o.Set("type", "rule"); o.Set("rule", RuleToJs(env, e.rule)); break;
      }
      arr.Set(i, o);
    }
    CallFromLoop(env, Value(), callback_, arr);
  }

  Napi::FunctionReference callback_;
  std::unique_ptr<io::NetlinkMonitor> monitor_;
  FdWatcher watcher_;  // declared last: stops polling before the monitor's socket closes
};

}  // namespace

void InitNetlinkMonitor(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkMonitor", NetlinkMonitorWrap::Define(env));
}

}  // namespace sy::napi
