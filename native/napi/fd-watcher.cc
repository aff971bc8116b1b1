// SPDX-License-Identifier: Apache-2.0
#include "napi/fd-watcher.h"

#include <uv.h>

namespace sy::napi {

// Lives on the heap until libuv's close callback: uv_close is asynchronous, so the handle must
// outlive its owner, which may be finalized in between.
struct FdWatcher::Handle {
  uv_poll_t poll;
  FdWatcher* owner = nullptr;
  napi_async_cleanup_hook_handle hook = nullptr;
  bool closing = false;
  int consecutiveErrors = 0;
};

int FdWatcher::Start(napi_env env, int fd) {
  if (handle_ != nullptr) return 0;
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return -1;
  auto* h = new Handle();
  int rc = uv_poll_init(loop, &h->poll, fd);
  if (rc != 0) {
    delete h;  // uv_poll_init failed before registering the handle: nothing to close
    return rc;
  }
  h->poll.data = h;
  h->owner = this;
  rc = uv_poll_start(&h->poll, UV_READABLE, PollCallback);
  if (rc != 0) {
    Close(h);
    return rc;
  }
  if (napi_add_async_cleanup_hook(env, OnTeardown, h, &h->hook) != napi_ok) h->hook = nullptr;
  handle_ = h;
  return 0;
}

void FdWatcher::PollCallback(uv_poll_t* p, int status, int) {
  auto* h = static_cast<Handle*>(p->data);
  if (h->owner == nullptr || h->closing) return;
  // On POLLERR libuv stops the handle and reports UV_EBADF. For a netlink socket that is routine:
  // the kernel flags ENOBUFS after dropping events for us. The owner's read consumes the error
  // (and resyncs), so the watch is re-armed; only an error that persists gives up.
  h->consecutiveErrors = status < 0 ? h->consecutiveErrors + 1 : 0;
  h->owner->onReadable_(h->owner->ctx_);
  if (status < 0 && !h->closing && h->consecutiveErrors < 64) uv_poll_start(&h->poll, UV_READABLE, PollCallback);
}

void FdWatcher::Close(Handle* h) {
  if (h->closing) return;
  h->closing = true;
  h->owner = nullptr;
  uv_poll_stop(&h->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), [](uv_handle_t* uh) {
    auto* closed = static_cast<Handle*>(uh->data);
    if (closed->hook != nullptr) napi_remove_async_cleanup_hook(closed->hook);
    delete closed;
  });
}

void FdWatcher::Stop() {
  if (handle_ == nullptr) return;
  Handle* h = handle_;
  handle_ = nullptr;
  Close(h);
}

void FdWatcher::OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
  auto* h = static_cast<Handle*>(arg);
  if (h->owner != nullptr) h->owner->handle_ = nullptr;
  Close(h);  // the close callback removes the hook, which tells Node the cleanup is done
}

}  // namespace sy::napi
