// SPDX-License-Identifier: Apache-2.0
// createDnsProxy({listen, port, attemptTimeout?, tcpTimeout?, queryTimeout?}) -> DnsProxy.
// DnsProxy: start() -> undefined | {errno, message}; setConfig({services: [{id, servers, domains}],
// fallback}) -> undefined | {errno, message}; stats() -> counters; stop().
// Servers are "192.0.2.1", "2001:db8::1", "fe80::1%3" (scope = interface index) or "addr#port".
// The proxy runs on its own thread; nothing here calls back into JavaScript.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "io/dns-proxy.h"
#include "napi/addon.h"
#include "napi/convert.h"

namespace sy::napi {
namespace {

bool ParseServer(const std::string& text, dns::ServerAddr* out) {
  std::string s = text;
  size_t hash = s.find('#');
  if (hash != std::string::npos) {
    long port = std::strtol(s.c_str() + hash + 1, nullptr, 10);
    if (port <= 0 || port > 65535) return false;
    out->port = static_cast<uint16_t>(port);
    s = s.substr(0, hash);
  }
  size_t pct = s.find('%');
  if (pct != std::string::npos) {
    out->scope = static_cast<uint32_t>(std::strtoul(s.c_str() + pct + 1, nullptr, 10));
    s = s.substr(0, pct);
  }
  if (inet_pton(AF_INET, s.c_str(), out->addr) == 1) return out->family = AF_INET, true;
  if (inet_pton(AF_INET6, s.c_str(), out->addr) == 1) return out->family = AF_INET6, true;
  return false;
}

bool ReadStrings(const Napi::Object& o, const char* key, std::vector<std::string>* out, std::string* why) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsArray()) return *why = std::string(key) + " must be an array of strings", false;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) return *why = std::string(key) + " must be an array of strings", false;
    out->push_back(e.As<Napi::String>().Utf8Value());
  }
  return true;
}

bool ReadServers(const Napi::Object& o, const char* key, std::vector<dns::ServerAddr>* out, std::string* why) {
  std::vector<std::string> texts;
  if (!ReadStrings(o, key, &texts, why)) return false;
  for (const std::string& t : texts) {
    dns::ServerAddr a;
    if (!ParseServer(t, &a)) return *why = "not a nameserver address: " + t, false;
    out->push_back(a);
  }
  return true;
}

bool ReadConfig(const Napi::Value& v, dns::DnsConfig* c, std::string* why) {
  if (!v.IsObject()) return *why = "config must be an object", false;
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value sv = o.Get("services");
  if (!sv.IsUndefined()) {
    if (!sv.IsArray()) return *why = "services must be an array", false;
    Napi::Array a = sv.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (!a.Get(i).IsObject()) return *why = "services[] must be objects", false;
      Napi::Object so = a.Get(i).As<Napi::Object>();
      dns::ServiceDns s;
      std::vector<std::string> domains;
      if (!ReadString(so, "id", false, &s.id, why) || !ReadServers(so, "servers", &s.servers, why) ||
          !ReadStrings(so, "domains", &domains, why))
        return false;
      for (const std::string& d : domains) {
        dns::Name n;
        if (!dns::nameFromText(d, &n)) return *why = "not a domain name: " + d, false;
        s.domains.push_back(n);
      }
      c->services.push_back(std::move(s));
    }
  }
  return ReadServers(o, "fallback", &c->fallback, why);
}

double ReadSeconds(const Napi::Object& o, const char* key, double dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() && v.As<Napi::Number>().DoubleValue() > 0 ? v.As<Napi::Number>().DoubleValue() : dflt;
}

Napi::Value CreateDnsProxy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) return MakeError(env, EINVAL, "createDnsProxy needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  auto opts = std::make_shared<io::DnsProxyOptions>();
  std::string why;
  if (!o.Get("listen").IsUndefined()) {
    opts->listen.clear();
    if (!ReadStrings(o, "listen", &opts->listen, &why)) return MakeError(env, EINVAL, why);
    if (opts->listen.empty()) return MakeError(env, EINVAL, "listen must name at least one address");
  }
  int64_t port = 53;
  if (!ReadInt(o, "port", false, &port, &why)) return MakeError(env, EINVAL, why);
  if (port <= 0 || port > 65535) return MakeError(env, EINVAL, "port out of range");
  opts->port = static_cast<uint16_t>(port);
  opts->engine.attemptTimeout = ReadSeconds(o, "attemptTimeout", opts->engine.attemptTimeout);
  opts->engine.tcpTimeout = ReadSeconds(o, "tcpTimeout", opts->engine.tcpTimeout);
  opts->engine.queryTimeout = ReadSeconds(o, "queryTimeout", opts->engine.queryTimeout);

  auto* proxy = new io::DnsProxy();
  Napi::Object self = Napi::Object::New(env);
  self.AddFinalizer([](Napi::Env, io::DnsProxy* p) { delete p; }, proxy);  // stops the thread
  self.Set("start", Napi::Function::New(env, [proxy, opts](const Napi::CallbackInfo& ci) -> Napi::Value {
    std::string w;
    int err = proxy->start(*opts, &w);
    if (err) return MakeError(ci.Env(), err, w);
    return ci.Env().Undefined();
  }, "start"));
  self.Set("setConfig", Napi::Function::New(env, [proxy](const Napi::CallbackInfo& ci) -> Napi::Value {
    auto c = std::make_shared<dns::DnsConfig>();
    std::string w;
    if (!ReadConfig(ci[0], c.get(), &w)) return MakeError(ci.Env(), EINVAL, w);
    proxy->setConfig(std::move(c));
    return ci.Env().Undefined();
  }, "setConfig"));
  self.Set("stats", Napi::Function::New(env, [proxy](const Napi::CallbackInfo& ci) -> Napi::Value {
    const io::DnsProxyCounters& c = proxy->counters();
    Napi::Object s = Napi::Object::New(ci.Env());
    auto put = [&](const char* k, const std::atomic<uint64_t>& v) {
      s.Set(k, Napi::Number::New(ci.Env(), static_cast<double>(v.load(std::memory_order_relaxed))));
    };
    put("queries", c.queries);
    put("cacheHits", c.cacheHits);
    put("forwarded", c.forwarded);
    put("answered", c.answered);
    put("upstreamTimeouts", c.upstreamTimeouts);
    put("badReplies", c.badReplies);
    put("tcpFallbacks", c.tcpFallbacks);
    put("flushes", c.flushes);
    put("cacheEntries", c.cacheEntries);
    put("tcpClients", c.tcpClients);
    put("merged", c.merged);
    put("segmented", c.segmented);
    put("segmentingOff", c.segmentingOff);
    return s;
  }, "stats"));
  self.Set("stop", Napi::Function::New(env, [proxy](const Napi::CallbackInfo& ci) -> Napi::Value {
    proxy->stop();
    return ci.Env().Undefined();
  }, "stop"));
  return self;
}

}  // namespace

void InitDnsProxy(Napi::Env env, Napi::Object exports) {
  exports.Set("createDnsProxy", Napi::Function::New(env, CreateDnsProxy, "createDnsProxy"));
}

}  // namespace sy::napi
