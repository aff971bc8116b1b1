// SPDX-License-Identifier: Apache-2.0
#include "napi/convert.h"

#include <cmath>
#include <cstdio>

namespace sy::napi {

Napi::Object MakeError(Napi::Env env, int err, const std::string& message) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("errno", Napi::Number::New(env, err));
  o.Set("message", Napi::String::New(env, message));
  return o;
}

Napi::Value StatusToJs(Napi::Env env, const io::NlStatus& st) {
  if (st.ok()) return env.Null();
  return MakeError(env, st.err, st.message);
}

Napi::Object LinkToJs(Napi::Env env, const io::LinkOut& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", Napi::Number::New(env, l.index));
  o.Set("name", Napi::String::New(env, l.name));
  o.Set("arphrd", Napi::Number::New(env, l.arphrd));
  o.Set("mac", Napi::String::New(env, l.mac));
  o.Set("flags", Napi::Number::New(env, l.flags));
  o.Set("mtu", Napi::Number::New(env, l.mtu));
  o.Set("operstate", Napi::Number::New(env, l.operstate));
  o.Set("kind", Napi::String::New(env, l.kind));
  o.Set("wireless", Napi::Boolean::New(env, l.wireless));
  return o;
}

Napi::Object AddrToJs(Napi::Env env, const io::AddrOut& a) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", Napi::Number::New(env, a.index));
  o.Set("family", Napi::Number::New(env, a.family));
  o.Set("address", Napi::String::New(env, a.address));
  o.Set("prefixLength", Napi::Number::New(env, a.prefixLength));
  o.Set("flags", Napi::Number::New(env, a.flags));
  o.Set("scope", Napi::Number::New(env, a.scope));
  return o;
}

bool ReadInt(const Napi::Object& o, const char* key, bool required, int64_t* out, std::string* why) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) *why = std::string("missing ") + key;
    return !required;
  }
  if (!v.IsNumber()) {
    *why = std::string(key) + " must be a number";
    return false;
  }
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0) {
    *why = std::string(key) + " must be an integer";
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool ReadString(const Napi::Object& o, const char* key, bool required, std::string* out, std::string* why) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) *why = std::string("missing ") + key;
    return !required;
  }
  if (!v.IsString()) {
    *why = std::string(key) + " must be a string";
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

bool CheckLinkOptions(int64_t ifindex, const std::string& ifname, const std::string& mac,
                      std::array<uint8_t, 6>* macOut, std::string* why) {
  if (ifindex <= 0 || ifindex > INT32_MAX) return *why = "ifindex out of range", false;
  if (ifname.empty() || ifname.size() >= 16) return *why = "ifname must be 1..15 bytes", false;
  unsigned b[6];
  char tail;
  if (mac.size() != 17 ||
      std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    return *why = "mac must look like aa:bb:cc:dd:ee:ff", false;
  for (int i = 0; i < 6; ++i) (*macOut)[i] = static_cast<uint8_t>(b[i]);
  return true;
}

Napi::Array StringsToJs(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(i, Napi::String::New(env, v[i]));
  return a;
}

void CallFromLoop(Napi::Env env, const Napi::Object& recv, const Napi::FunctionReference& fn,
                  const Napi::Value& arg) {
  fn.MakeCallback(recv, {arg});
  if (env.IsExceptionPending()) {
    Napi::Error e = env.GetAndClearPendingException();
    napi_fatal_exception(env, e.Value());
  }
}

}  // namespace sy::napi
