// SPDX-License-Identifier: Apache-2.0
// Placeholder so the addon links while the real shell is written; Create() fails honestly.
#include "dhcp4-runner.h"

namespace sy::io {

struct Dhcp4Runner::Impl {};

std::unique_ptr<Dhcp4Runner> Dhcp4Runner::Create(const Dhcp4Config&, std::string* err) {
  if (err) *err = "dhcp4 runner not implemented yet";
  return nullptr;
}
Dhcp4Runner::Dhcp4Runner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dhcp4Runner::~Dhcp4Runner() = default;
int Dhcp4Runner::fd() const { return -1; }
void Dhcp4Runner::start() {}
void Dhcp4Runner::stop(bool) {}
void Dhcp4Runner::dispatch() {}
std::vector<Dhcp4EventOut> Dhcp4Runner::popEvents() { return {}; }
const char* Dhcp4Runner::stateName() const { return "stopped"; }

}  // namespace sy::io
