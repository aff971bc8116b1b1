// SPDX-License-Identifier: Apache-2.0
// The addon's entry point. Everything JavaScript can reach is registered here.
#include "napi/addon.h"

#include "io/boottime.h"
#include "io/resident-trim.h"

#include <cstring>
#include <string>

namespace sy::napi {
namespace {

Napi::Value Boottime(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), io::BoottimeSeconds());
}

// {mappings, kib} dropped, or throws with the errno text when /proc/self/smaps cannot be read
Napi::Value DropCleanFilePages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  io::TrimResult r = io::DropCleanFilePages();
  if (r.error != 0) {
    Napi::Error::New(env, std::string("/proc/self/smaps: ") + std::strerror(r.error)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("mappings", Napi::Number::New(env, r.mappings));
  o.Set("kib", Napi::Number::New(env, static_cast<double>(r.kib)));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Node deletes the instance data (and so drops the constructor references) when this
  // environment is torn down; nothing in it outlives the environment.
  auto* data = new InstanceData();
  env.SetInstanceData<InstanceData>(data);
  exports.Set("boottime", Napi::Function::New(env, Boottime, "boottime"));
  exports.Set("dropCleanFilePages", Napi::Function::New(env, DropCleanFilePages, "dropCleanFilePages"));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  InitNetlinkMonitor(env, exports);
  InitDhcp6Client(env, exports);
  InitNdOptWatcher(env, exports);
  InitNetlinkControl(env, exports);
  InitDhcp4Client(env, exports, data);
  InitDnsProxy(env, exports);
  InitArpClients(env, exports, data);
  return exports;
}

}  // namespace
}  // namespace sy::napi

static Napi::Object InitSwitchyard(Napi::Env env, Napi::Object exports) {
  return sy::napi::Init(env, exports);
}

NODE_API_MODULE(switchyard, InitSwitchyard)
