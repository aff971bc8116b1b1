// SPDX-License-Identifier: Apache-2.0
// Registration entry points of the wrappers and the per-environment state they share.
#pragma once

#include <napi.h>

namespace sy::napi {

// One per Node environment (main thread, each worker), owned by Node through SetInstanceData.
struct InstanceData {
  Napi::FunctionReference dhcp4ClientCtor;
  Napi::FunctionReference arpClientCtor;
};

void InitNetlinkMonitor(Napi::Env env, Napi::Object exports);
void InitDhcp6Client(Napi::Env env, Napi::Object exports);
void InitNdOptWatcher(Napi::Env env, Napi::Object exports);
void InitNetlinkControl(Napi::Env env, Napi::Object exports);
void InitDhcp4Client(Napi::Env env, Napi::Object exports, InstanceData* data);
void InitDnsProxy(Napi::Env env, Napi::Object exports);
void InitArpClients(Napi::Env env, Napi::Object exports, InstanceData* data);

}  // namespace sy::napi
