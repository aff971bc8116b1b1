// SPDX-License-Identifier: Apache-2.0
#include "napi/netlink-convert.h"

#include "napi/convert.h"

namespace sy::napi {

Napi::Object RouteToJs(Napi::Env env, const io::RouteOut& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("family", Napi::Number::New(env, r.family));
  o.Set("dst", r.dst);
  o.Set("prefixLength", Napi::Number::New(env, r.prefixLength));
  if (!r.gateway.empty()) o.Set("gateway", r.gateway);
  o.Set("oif", Napi::Number::New(env, r.oif));
  if (!r.prefsrc.empty()) o.Set("prefsrc", r.prefsrc);
  o.Set("table", Napi::Number::New(env, r.table));
  o.Set("metric", Napi::Number::New(env, r.metric));
  o.Set("scope", Napi::Number::New(env, r.scope));
  o.Set("protocol", Napi::Number::New(env, r.protocol));
  o.Set("type", Napi::Number::New(env, r.type));
  return o;
}

Napi::Object RuleToJs(Napi::Env env, const io::RuleOut& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("family", Napi::Number::New(env, r.family));
  o.Set("priority", Napi::Number::New(env, r.priority));
  o.Set("table", Napi::Number::New(env, r.table));
  if (!r.src.empty()) {
    o.Set("src", r.src);
    o.Set("srcLength", Napi::Number::New(env, r.srcLength));
  }
  if (r.fwmark != 0) {
    o.Set("fwmark", Napi::Number::New(env, r.fwmark));
    o.Set("fwmask", Napi::Number::New(env, r.fwmask));
  }
  o.Set("action", Napi::Number::New(env, r.action));
  return o;
}

bool ReadRuleReq(const Napi::Object& o, io::RuleReq* r, std::string* why) {
  int64_t family = 0, priority = -1, table = 0, srcLength = 0, fwmark = 0, fwmask = 0;
  if (!ReadInt(o, "family", true, &family, why) || !ReadInt(o, "priority", false, &priority, why) ||
      !ReadInt(o, "table", true, &table, why) || !ReadString(o, "src", false, &r->src, why) ||
      !ReadInt(o, "srcLength", false, &srcLength, why) || !ReadInt(o, "fwmark", false, &fwmark, why) ||
      !ReadInt(o, "fwmask", false, &fwmask, why))
    return false;
  if (priority < -1 || priority > 0xffffffffLL) return *why = "priority out of range", false;
  if (table <= 0 || table > 0xffffffffLL) return *why = "table out of range", false;
  if (srcLength < 0 || srcLength > 128) return *why = "srcLength out of range", false;
  if (fwmark < 0 || fwmark > 0xffffffffLL || fwmask < 0 || fwmask > 0xffffffffLL) return *why = "fwmark out of range", false;
  r->family = static_cast<int>(family);
  r->hasPriority = priority >= 0;
  r->priority = r->hasPriority ? static_cast<uint32_t>(priority) : 0;
  r->table = static_cast<uint32_t>(table);
  r->srcLength = static_cast<int>(srcLength);
  r->fwmark = static_cast<uint32_t>(fwmark);
  r->fwmask = static_cast<uint32_t>(fwmask);
  return true;
}

}  // namespace sy::napi
