// SPDX-License-Identifier: Apache-2.0
// Value conversions shared by the wrappers. Failures are returned to JavaScript as plain
// {errno, message} objects; TypeScript (ts/platform/native.ts) turns them into PlatformError.
#pragma once

#include <napi.h>

#include <string>

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

// Calls a JS callback from a libuv callback (no JS frame below us). A throwing listener is
// reported as an uncaught exception, the way Node reports one thrown from an EventEmitter.
// recv must be an object: napi_make_callback rejects undefined as the receiver.
void CallFromLoop(Napi::Env env, const Napi::Object& recv, const Napi::FunctionReference& fn,
                  const Napi::Value& arg);

}  // namespace sy::napi
