// SPDX-License-Identifier: Apache-2.0
#include "lease.h"

#include <cstring>

#include "../wire/reader.h"

namespace sy::dhcp6 {

namespace {

Address addressAt(const uint8_t* p) {
  Address a;
  std::memcpy(a.data(), p, 16);
  return a;
}

void addressList(const std::vector<uint8_t>& v, std::vector<Address>* out) {
  // RFC 3646 3, RFC 4075 4: a list of 16-byte addresses; a ragged length is malformed.
  if (v.empty() || v.size() % 16 != 0) return;
  for (size_t i = 0; i < v.size(); i += 16) out->push_back(addressAt(&v[i]));
}

void statusOf(const std::vector<Option>& opts, uint16_t* code, std::string* message) {
  for (const Option& o : opts) {
    if (o.code != opt::StatusCode) continue;
    if (o.data.size() < 2) continue;
    *code = static_cast<uint16_t>((o.data[0] << 8) | o.data[1]);
    if (message) message->assign(o.data.begin() + 2, o.data.end());
    return;
  }
}

void decodeIaAddress(const std::vector<uint8_t>& v, Ia* ia) {
  wire::Reader r(v.data(), v.size());
  wire::Span a = r.span(16);
  IaAddress x;
  x.preferred = r.be32();
  x.valid = r.be32();
  if (!r.ok()) return;
  x.address = addressAt(a.data);
  std::vector<Option> sub;
  wire::Span rest = r.rest();
  if (parseOptions(rest.data, rest.size, &sub) != ParseError::None) return;
  uint16_t status = Success;
  statusOf(sub, &status, nullptr);
  // RFC 8415 21.6: "The client MUST discard any addresses for which the preferred
  // lifetime is greater than the valid lifetime."
  // RFC 8415 18.2.10.1: "If the client finds an address or prefix with a valid
  // lifetime of 0, the client MUST discard" it.
  if (status != Success || x.preferred > x.valid || x.valid == 0) return;
  ia->addresses.push_back(x);
}

void decodeIaPrefix(const std::vector<uint8_t>& v, Ia* ia) {
  wire::Reader r(v.data(), v.size());
  IaPrefix x;
  x.preferred = r.be32();
  x.valid = r.be32();
  x.length = r.u8();
  wire::Span p = r.span(16);
  if (!r.ok()) return;
  x.prefix = addressAt(p.data);
  std::vector<Option> sub;
  wire::Span rest = r.rest();
  if (parseOptions(rest.data, rest.size, &sub) != ParseError::None) return;
  uint16_t status = Success;
  statusOf(sub, &status, nullptr);
  // RFC 8415 21.22: "the client MUST discard any prefixes for which the preferred
  // lifetime is greater than the valid lifetime"; a length past 128 names no prefix.
  if (status != Success || x.preferred > x.valid || x.valid == 0 || x.length == 0 || x.length > 128) return;
  ia->prefixes.push_back(x);
}

void decodeIa(const std::vector<uint8_t>& v, bool pd, uint32_t iaid, Ia* ia) {
  if (ia->present) return;  // one IA of each kind; a duplicate is ignored
  wire::Reader r(v.data(), v.size());
  Ia x;
  x.iaid = r.be32();
  x.t1 = r.be32();
  x.t2 = r.be32();
  if (!r.ok() || x.iaid != iaid) return;
  // RFC 8415 21.4 (and 21.21 for IA_PD): "If a client receives an IA_NA with T1
  // greater than T2 and both T1 and T2 are greater than 0, the client discards the
  // IA_NA option and processes the remainder of the message as though the server
  // had not included the invalid IA_NA option."
  if (x.t1 > x.t2 && x.t2 > 0) return;
  std::vector<Option> sub;
  wire::Span rest = r.rest();
  if (parseOptions(rest.data, rest.size, &sub) != ParseError::None) return;
  statusOf(sub, &x.status, nullptr);
  for (const Option& o : sub) {
    if (!pd && o.code == opt::IaAddr) decodeIaAddress(o.data, &x);
    if (pd && o.code == opt::IaPrefix) decodeIaPrefix(o.data, &x);
  }
  x.present = true;
  *ia = std::move(x);
}

void decodeNtp(const std::vector<uint8_t>& v, Lease* out) {
  // RFC 5908 4: suboptions 1 (server address), 2 (multicast address), 3 (FQDN).
  std::vector<Option> sub;
  if (parseOptions(v.data(), v.size(), &sub) != ParseError::None) return;
  for (const Option& s : sub) {
    if ((s.code == 1 || s.code == 2) && s.data.size() == 16) out->ntp.push_back(addressAt(s.data.data()));
    if (s.code == 3) {
      std::vector<std::string> names;
      if (decodeDomainList(s.data.data(), s.data.size(), &names) && names.size() == 1)
        out->ntpNames.push_back(names[0]);
    }
  }
}

uint32_t be32Of(const std::vector<uint8_t>& v) {
  return (uint32_t{v[0]} << 24) | (uint32_t{v[1]} << 16) | (uint32_t{v[2]} << 8) | v[3];
}

}  // namespace

bool decodeServerMessage(const Message& m, uint32_t iaidNa, uint32_t iaidPd, Lease* out,
                         const char** why) {
  Lease l;
  // RFC 8415 16.3 (Advertise) and 16.10 (Reply): discard if "the message does not
  // include a Server Identifier option".
  if (m.count(opt::ServerId) != 1 || m.find(opt::ServerId)->data.empty()) {
    *why = "no single server identifier";
    return false;
  }
  l.serverId = m.find(opt::ServerId)->data;
  if (const Option* c = m.find(opt::ClientId)) l.clientId = c->data;
  statusOf(m.options, &l.status, &l.statusMessage);
  for (const Option& o : m.options) {
    switch (o.code) {
      case opt::Preference:
        if (o.data.size() == 1) l.preference = o.data[0];
        break;
      case opt::RapidCommit: l.rapidCommit = true; break;
      case opt::IaNa: decodeIa(o.data, false, iaidNa, &l.na); break;
      case opt::IaPd: decodeIa(o.data, true, iaidPd, &l.pd); break;
      case opt::DnsServers: addressList(o.data, &l.dns); break;
      case opt::SntpServers: addressList(o.data, &l.sntp); break;
      case opt::NtpServer: decodeNtp(o.data, &l); break;
      case opt::DomainList: {
        std::vector<std::string> names;
        if (decodeDomainList(o.data.data(), o.data.size(), &names))
          l.domains.insert(l.domains.end(), names.begin(), names.end());
        break;
      }
      case opt::InfoRefreshTime:
        if (o.data.size() == 4) l.infoRefresh = be32Of(o.data);
        break;
      case opt::SolMaxRt:
        if (o.data.size() == 4) l.solMaxRt = be32Of(o.data);
        break;
      case opt::InfMaxRt:
        if (o.data.size() == 4) l.infMaxRt = be32Of(o.data);
        break;
      default: break;
    }
  }
  *out = std::move(l);
  return true;
}

}  // namespace sy::dhcp6
