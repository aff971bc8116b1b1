// SPDX-License-Identifier: Apache-2.0
// Value conversions shared by the wrappers. Failures are returned to JavaScript as plain
// {errno, message} objects; TypeScript (ts/platform/native.ts) turns them into PlatformError.
#pragma once

#include <napi.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/netlink.h"

namespace sy::napi {

Napi::Object MakeError(Napi::Env env, int err, const std::string& message);
// null on success, the error object otherwise
Napi::Value StatusToJs(Napi::Env env, const io::NlStatus& st);

Napi::Object LinkToJs(Napi::Env env, const io::LinkOut& l);
Napi::Object AddrToJs(Napi::Env env, const io::AddrOut& a);

// Readers for option objects. Each returns false and fills *why when the field is missing (and
// required) or of the wrong type; optional fields absent leave *out untouched.
bool ReadInt(const Napi::Object& o, const char* key, bool required, int64_t* out, std::string* why);
bool ReadString(const Napi::Object& o, const char* key, bool required, std::string* out, std::string* why);
// The link every engine client is created on (ifindex, ifname, "aa:bb:cc:dd:ee:ff"), checked once
// read; fills *macOut. The runner checks the interface again, this gives JavaScript a clearer reason.
bool CheckLinkOptions(int64_t ifindex, const std::string& ifname, const std::string& mac,
                      std::array<uint8_t, 6>* macOut, std::string* why);

Napi::Array StringsToJs(Napi::Env env, const std::vector<std::string>& v);

// Calls a JS callback from a libuv callback (no JS frame below us). A throwing listener is
// reported as an uncaught exception, the way Node reports one thrown from an EventEmitter.
// recv must be an object: napi_make_callback rejects undefined as the receiver.
void CallFromLoop(Napi::Env env, const Napi::Object& recv, const Napi::FunctionReference& fn,
                  const Napi::Value& arg);

// Hands a runner to its ObjectWrap constructor `ctor(External<Runner>, callback)`, which adopts it.
// If the constructor throws before adopting it, the runner is freed here and an error returned.
template <class Runner>
Napi::Value NewRunnerObject(Napi::Env env, const Napi::FunctionReference& ctor, std::unique_ptr<Runner> runner,
                            const Napi::Value& callback, const std::string& what) {
  Runner* raw = runner.release();
  Napi::Object obj = ctor.New({Napi::External<Runner>::New(env, raw), callback});
  if (env.IsExceptionPending()) {
    delete raw;
    env.GetAndClearPendingException();
    return MakeError(env, ENOMEM, what + ": cannot construct client object");
  }
  return obj;
}

}  // namespace sy::napi
