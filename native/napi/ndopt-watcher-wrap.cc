// SPDX-License-Identifier: Apache-2.0
// createNdOptWatcher(callback) -> {start, stop, requestFlags, portId, stats} | {errno, message}.
// The callback receives arrays of
//   {type: 'rdnss', ifindex, router, lifetime, servers[]} |
//   {type: 'dnssl', ifindex, router, lifetime, domains[]} |
//   {type: 'raflags', ifindex, managed, other, flags}.
#include <cerrno>
#include <memory>

#include "io/ndopt-watcher.h"
#include "napi/addon.h"
#include "napi/convert.h"
#include "napi/fd-watcher.h"

namespace sy::napi {
namespace {

Napi::Array EventsToJs(Napi::Env env, const std::vector<io::NdEventOut>& events) {
  Napi::Array arr = Napi::Array::New(env, events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("ifindex", Napi::Number::New(env, e.ifindex));
    Napi::Array values = Napi::Array::New(env, e.values.size());
    for (size_t j = 0; j < e.values.size(); ++j) values.Set(j, Napi::String::New(env, e.values[j]));
    switch (e.type) {
      case io::NdEventOut::Rdnss:
        o.Set("type", "rdnss");
        o.Set("servers", values);
        break;
      case io::NdEventOut::Dnssl:
        o.Set("type", "dnssl");
        o.Set("domains", values);
        break;
      case io::NdEventOut::RaFlags:
        o.Set("type", "raflags");
        o.Set("managed", Napi::Boolean::New(env, (e.flags & 0x40) != 0));   // IF_RA_MANAGED
        o.Set("other", Napi::Boolean::New(env, (e.flags & 0x80) != 0));     // IF_RA_OTHERCONF
        o.Set("flags", Napi::Number::New(env, e.flags));
        break;
    }
    if (e.type != io::NdEventOut::RaFlags) {
      o.Set("router", e.router);
      o.Set("lifetime", Napi::Number::New(env, e.lifetime));
    }
    arr.Set(i, o);
  }
  return arr;
}

struct Handle {
  std::unique_ptr<io::NdOptWatcher> watcher;
  Napi::FunctionReference callback;
  Napi::ObjectReference self;
  FdWatcher poll{OnReadable, this};

  static void OnReadable(void* ctx) {
    auto* h = static_cast<Handle*>(ctx);
    h->watcher->dispatch();
    std::vector<io::NdEventOut> events = h->watcher->popEvents();
    if (events.empty() || h->self.IsEmpty()) return;
    Napi::Env env = h->callback.Env();
    Napi::HandleScope scope(env);
    CallFromLoop(env, h->self.Value(), h->callback, EventsToJs(env, events));
  }
};

Napi::Value CreateNdOptWatcher(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction())
    return MakeError(env, EINVAL, "createNdOptWatcher(callback): bad arguments");
  std::string err;
  std::unique_ptr<io::NdOptWatcher> w = io::NdOptWatcher::Create(&err);
  if (!w) return MakeError(env, EIO, "nd options: " + err);
  auto* h = new Handle();
  h->watcher = std::move(w);
  h->callback = Napi::Persistent(info[0].As<Napi::Function>());
  Napi::Object obj = Napi::Object::New(env);
  obj.AddFinalizer([](Napi::Env, Handle* p) { delete p; }, h);
  obj.Set("start", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    Napi::Env e = ci.Env();
    if (!h->poll.active()) {
      const int rc = h->poll.Start(e, h->watcher->fd());
      if (rc != 0) return MakeError(e, EIO, "nd options: cannot watch fd (libuv error " + std::to_string(rc) + ")");
      h->self = Napi::Persistent(ci.This().As<Napi::Object>());
    }
    std::string why;
    if (!h->watcher->requestFlags(&why)) return MakeError(e, EIO, why);
    return e.Null();
  }, "start"));
  obj.Set("requestFlags", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    std::string why;
    if (!h->watcher->requestFlags(&why)) return MakeError(ci.Env(), EIO, why);
    return ci.Env().Null();
  }, "requestFlags"));
  obj.Set("stop", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    h->poll.Stop();
    h->self.Reset();
    return ci.Env().Undefined();
  }, "stop"));
  obj.Set("portId", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    return Napi::Number::New(ci.Env(), h->watcher->portId());
  }, "portId"));
  obj.Set("stats", Napi::Function::New(env, [h](const Napi::CallbackInfo& ci) -> Napi::Value {
    Napi::Object s = Napi::Object::New(ci.Env());
    s.Set("spoofedDropped", Napi::Number::New(ci.Env(), static_cast<double>(h->watcher->spoofedDropped())));
    s.Set("malformedDropped", Napi::Number::New(ci.Env(), static_cast<double>(h->watcher->malformedDropped())));
    return s;
  }, "stats"));
  return obj;
}

}  // namespace

void InitNdOptWatcher(Napi::Env env, Napi::Object exports) {
  exports.Set("createNdOptWatcher", Napi::Function::New(env, CreateNdOptWatcher, "createNdOptWatcher"));
}

}  // namespace sy::napi
