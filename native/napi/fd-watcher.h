// SPDX-License-Identifier: Apache-2.0
// Watches one fd for readability on Node's libuv loop. Stop() closes the uv handle so the loop can
// exit; an async environment cleanup hook does the same when a worker or the process tears down
// while the watch is still active (an open handle would otherwise abort a worker's loop close).
#pragma once

#include <node_api.h>
#include <uv.h>

namespace sy::napi {

class FdWatcher {
 public:
  using Callback = void (*)(void* ctx);

  FdWatcher(Callback onReadable, void* ctx) : onReadable_(onReadable), ctx_(ctx) {}
  ~FdWatcher() { Stop(); }

  // 0 on success, else a negative libuv error (uv_strerror-able) or -1 for a Node-API failure.
  int Start(napi_env env, int fd);
  void Stop();  // idempotent
  bool active() const { return handle_ != nullptr; }

  FdWatcher(const FdWatcher&) = delete;
  FdWatcher& operator=(const FdWatcher&) = delete;

 private:
  struct Handle;
  static void PollCallback(uv_poll_t* p, int status, int events);
  static void Close(Handle* h);
  static void OnTeardown(napi_async_cleanup_hook_handle hook, void* arg);

  Callback onReadable_;
  void* ctx_;
  Handle* handle_ = nullptr;
};

}  // namespace sy::napi
