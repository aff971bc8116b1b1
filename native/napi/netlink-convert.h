// SPDX-License-Identifier: Apache-2.0
// Route and rule objects between JS and io/netlink.h (links and addresses are in convert.h).
#pragma once

#include <napi.h>

#include <string>

#include "io/netlink.h"

namespace sy::napi {

Napi::Object RouteToJs(Napi::Env env, const io::RouteOut& r);
Napi::Object RuleToJs(Napi::Env env, const io::RuleOut& r);
// false and *why set when a field is missing, mistyped or out of range
bool ReadRuleReq(const Napi::Object& o, io::RuleReq* r, std::string* why);

}  // namespace sy::napi
