// SPDX-License-Identifier: Apache-2.0
// createAcd(options, callback) and createIpv4ll(options, callback) -> ArpClient | {errno, message}.
// ArpClient: start(address?) -> events[] | error, stop() -> events[], state() -> string.
// Events: {type: 'available'|'conflict'|'defended'|'bound'|'lost', address, other?}. As with the
// DHCPv4 client, events produced inside start()/stop() are returned, never called back.
#include <arpa/inet.h>

#include <cerrno>
#include <memory>

#include "io/arp-runner.h"
#include "napi/addon.h"
#include "napi/convert.h"
#include "napi/fd-watcher.h"

namespace sy::napi {
namespace {

bool ReadArpConfig(const Napi::Object& o, io::ArpConfig* c, std::string* why) {
  int64_t ifindex = 0;
  std::string mac;
  if (!ReadInt(o, "ifindex", true, &ifindex, why) || !ReadString(o, "ifname", true, &c->ifname, why) ||
      !ReadString(o, "mac", true, &mac, why))
    return false;
  if (!CheckLinkOptions(ifindex, c->ifname, mac, &c->mac, why)) return false;
  c->ifindex = static_cast<int>(ifindex);
  return true;
}

Napi::Array ArpEventsToJs(Napi::Env env, const std::vector<io::ArpEventOut>& events) {
  Napi::Array arr = Napi::Array::New(env, events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", events[i].type);
    o.Set("address", events[i].address);
    if (!events[i].other.empty()) o.Set("other", events[i].other);
    arr.Set(i, o);
  }
  return arr;
}

class ArpClientWrap : public Napi::ObjectWrap<ArpClientWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ArpClient",
                       {InstanceMethod<&ArpClientWrap::Start>("start"),
                        InstanceMethod<&ArpClientWrap::Stop>("stop"),
                        InstanceMethod<&ArpClientWrap::State>("state")});
  }

  explicit ArpClientWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<ArpClientWrap>(info), watcher_(OnReadable, this) {
    if (info.Length() < 2 || !info[0].IsExternal() || !info[1].IsFunction()) {
      Napi::TypeError::New(info.Env(), "use createAcd / createIpv4ll").ThrowAsJavaScriptException();
      return;
    }
    runner_.reset(info[0].As<Napi::External<io::ArpRunner>>().Data());
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
  }

  ~ArpClientWrap() override { watcher_.Stop(); }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!runner_) return MakeError(env, EINVAL, "ARP client was not constructed");
    uint32_t address = 0;
    if (info.Length() > 0 && info[0].IsString()) {
      in_addr a{};
      std::string s = info[0].As<Napi::String>().Utf8Value();
      if (inet_pton(AF_INET, s.c_str(), &a) != 1) return MakeError(env, EINVAL, "address is not IPv4: " + s);
      address = ntohl(a.s_addr);
    }
    if (!watcher_.active()) {
      const int rc = watcher_.Start(env, runner_->fd());
      if (rc != 0) return MakeError(env, EIO, "arp: cannot watch fd (libuv error " + std::to_string(rc) + ")");
      Ref();
    }
    runner_->start(address);
    return ArpEventsToJs(env, runner_->popEvents());
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!runner_) return Napi::Array::New(env);
    runner_->stop();
    if (watcher_.active()) {
      watcher_.Stop();
      Unref();
    }
    Napi::Value events = ArpEventsToJs(env, runner_->popEvents());
    runner_.reset();  // close the packet socket and timers now, not at garbage collection
    return events;
  }

  Napi::Value State(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), runner_ ? runner_->stateName() : "STOPPED");
  }

  static void OnReadable(void* ctx) { static_cast<ArpClientWrap*>(ctx)->Deliver(); }

  void Deliver() {
    if (!runner_) return;
    runner_->dispatch();
    std::vector<io::ArpEventOut> events = runner_->popEvents();
    if (events.empty()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    CallFromLoop(env, Value(), callback_, ArpEventsToJs(env, events));
  }

  std::unique_ptr<io::ArpRunner> runner_;
  Napi::FunctionReference callback_;
  FdWatcher watcher_;  // declared last: stops polling before the runner closes its fd
};

Napi::Value Create(const Napi::CallbackInfo& info, io::ArpRunner::Kind kind, const char* what) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    return MakeError(env, EINVAL, std::string(what) + "(options, callback): bad arguments");
  io::ArpConfig config{};
  std::string why;
  if (!ReadArpConfig(info[0].As<Napi::Object>(), &config, &why))
    return MakeError(env, EINVAL, std::string(what) + " options: " + why);
  std::string err;
  std::unique_ptr<io::ArpRunner> runner = io::ArpRunner::Create(kind, config, &err);
  if (!runner) return MakeError(env, EIO, std::string(what) + " on " + config.ifname + ": " + err);
  return NewRunnerObject(env, env.GetInstanceData<InstanceData>()->arpClientCtor, std::move(runner), info[1], what);
}

Napi::Value CreateAcd(const Napi::CallbackInfo& info) { return Create(info, io::ArpRunner::Kind::Acd, "createAcd"); }
Napi::Value CreateIpv4ll(const Napi::CallbackInfo& info) {
  return Create(info, io::ArpRunner::Kind::Ipv4ll, "createIpv4ll");
}

}  // namespace

void InitArpClients(Napi::Env env, Napi::Object exports, InstanceData* data) {
  Napi::Function ctor = ArpClientWrap::Define(env);
  data->arpClientCtor = Napi::Persistent(ctor);
  exports.Set("createAcd", Napi::Function::New(env, CreateAcd, "createAcd"));
  exports.Set("createIpv4ll", Napi::Function::New(env, CreateIpv4ll, "createIpv4ll"));
}

}  // namespace sy::napi
