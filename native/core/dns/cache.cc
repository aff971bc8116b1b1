// SPDX-License-Identifier: Apache-2.0
#include "cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sy::dns {

void prepareStored(const uint8_t* data, const Message& m, double now, Stored* s) {
  s->bytes.assign(data, data + m.end);
  s->ttlOffsets.clear();
  s->ttls.clear();
  s->optStart = -1;
  s->storedAt = now;
  for (size_t i = 0; i < m.records.size(); ++i) {
    const RecordRef& rr = m.records[i];
    if (rr.type == kTypeOPT) {
      if (i + 1 == m.records.size()) s->optStart = rr.start;
      continue;
    }
    s->ttlOffsets.push_back(rr.ttlOffset);
    s->ttls.push_back(rr.ttl);
  }
}

void serveStored(const Stored& s, double now, const ClientView& c, std::vector<uint8_t>* out) {
  size_t n = s.bytes.size();
  bool cutOpt = !c.edns && s.optStart >= 0;
  if (cutOpt) n = static_cast<size_t>(s.optStart);
  uint16_t flags = static_cast<uint16_t>((s.bytes[2] << 8) | s.bytes[3]);
  flags = static_cast<uint16_t>((flags & ~(kFlagRD | kFlagCD | kFlagTC)) | (c.flags & (kFlagRD | kFlagCD)));
  if (n > c.limit) {
    // RFC 2181 9: a reply that does not fit is sent truncated so the client retries over TCP.
    uint16_t qtype = static_cast<uint16_t>((s.bytes[kHeaderSize + c.qname.len] << 8) | s.bytes[kHeaderSize + c.qname.len + 1]);
    uint16_t qclass = static_cast<uint16_t>((s.bytes[kHeaderSize + c.qname.len + 2] << 8) | s.bytes[kHeaderSize + c.qname.len + 3]);
    buildEmptyReply(c.id, static_cast<uint16_t>(flags | kFlagTC), flags & 0xf, c.qname, qtype, qclass, out);
    return;
  }
  out->assign(s.bytes.begin(), s.bytes.begin() + static_cast<std::ptrdiff_t>(n));
  uint8_t* p = out->data();
  p[0] = static_cast<uint8_t>(c.id >> 8);
  p[1] = static_cast<uint8_t>(c.id);
  p[2] = static_cast<uint8_t>(flags >> 8);
  p[3] = static_cast<uint8_t>(flags);
  if (cutOpt) {
    uint16_t ar = static_cast<uint16_t>((p[10] << 8) | p[11]);
    ar = static_cast<uint16_t>(ar - 1);
    p[10] = static_cast<uint8_t>(ar >> 8);
    p[11] = static_cast<uint8_t>(ar);
  }
  std::memcpy(p + kHeaderSize, c.qname.wire, c.qname.len);
  double aged = now - s.storedAt;
  uint32_t elapsed = aged <= 0 ? 0 : static_cast<uint32_t>(std::min(aged, 4e9));
  for (size_t i = 0; i < s.ttlOffsets.size(); ++i) {
    uint32_t off = s.ttlOffsets[i];
    if (off + 4 > n) continue;  // inside the cut OPT: cannot happen, OPT carries no TTL offset
    uint32_t t = s.ttls[i] > elapsed ? s.ttls[i] - elapsed : 0;
    p[off] = static_cast<uint8_t>(t >> 24);
    p[off + 1] = static_cast<uint8_t>(t >> 16);
    p[off + 2] = static_cast<uint8_t>(t >> 8);
    p[off + 3] = static_cast<uint8_t>(t);
  }
}

uint32_t Cache::cacheableFor(const Message& m) const {
  if (!m.hasQuestion || !m.h.qr() || m.h.tc() || m.h.opcode() != 0) return 0;
  uint8_t rc = m.h.rcode();
  bool positive = rc == kRcodeNoError && m.h.an > 0;
  bool negative = rc == kRcodeNxDomain || (rc == kRcodeNoError && m.h.an == 0);
  if (positive) {
    uint32_t ttl = limits_.maxTtl;
    for (const RecordRef& rr : m.records)
      if (rr.type != kTypeOPT) ttl = std::min(ttl, rr.ttl);
    return ttl;
  }
  // RFC 2308 5: without an SOA in the authority section a negative answer is not cached.
  if (negative && m.hasSoa) return std::min({m.soaTtl, m.soaMinimum, limits_.maxNegativeTtl});
  return 0;
}

uint8_t keyBits(bool dnssecOk, uint16_t flags) {
  return static_cast<uint8_t>((dnssecOk ? kKeyDo : 0) | ((flags & kFlagCD) ? kKeyCd : 0) | ((flags & kFlagRD) ? kKeyRd : 0));
}

void Cache::makeKey(const Name& n, uint16_t type, uint16_t cls, uint8_t bits, std::string* key) {
  nameLower(n, key);
  key->push_back(static_cast<char>(bits));
  key->push_back(static_cast<char>(type >> 8));
  key->push_back(static_cast<char>(type));
  key->push_back(static_cast<char>(cls >> 8));
  key->push_back(static_cast<char>(cls));
}

void Cache::insert(const uint8_t* data, const Message& m, uint8_t bits, double now) {
  uint32_t ttl = cacheableFor(m);
  if (ttl == 0) return;
  Entry e;
  makeKey(m.qname, m.qtype, m.qclass, bits, &e.key);
  prepareStored(data, m, now, &e.stored);
  e.expires = now + ttl;
  e.cost = e.stored.bytes.size() + e.key.size() + e.stored.ttls.size() * 8 + 128;
  if (e.cost > limits_.maxBytes / 4) return;  // one huge answer may not push out everything else
  auto found = index_.find(e.key);
  if (found != index_.end()) erase(found->second);
  // A full cache sweeps for expired entries before it evicts live ones, but at most once a second:
  // walking all 4,096 entries on every insert made each cache miss at capacity cost a full list walk
  // (the 10,000-name cycle of bench/dns-scale.ts). Between sweeps an expired entry may outlive a live
  // LRU one for up to a second; the bounds hold either way.
  if ((stats_.entries + 1 > limits_.maxEntries || stats_.bytes + e.cost > limits_.maxBytes) &&
      !(now - lastSweep_ < 1.0 && now >= lastSweep_))
    sweep(now);
  evictTo(limits_.maxEntries - 1, limits_.maxBytes - e.cost);
  lru_.push_front(std::move(e));
  index_[lru_.front().key] = lru_.begin();
  stats_.entries++;
  stats_.bytes += lru_.front().cost;
  stats_.inserts++;
}

bool Cache::lookup(const Name& qname, uint16_t qtype, uint16_t qclass, uint8_t bits, double now,
                   const ClientView& c, std::vector<uint8_t>* out) {
  makeKey(qname, qtype, qclass, bits, &keyScratch_);
  auto found = index_.find(keyScratch_);
  if (found == index_.end()) {
    stats_.misses++;
    return false;
  }
  auto it = found->second;
  if (it->expires <= now) {
    erase(it);
    stats_.expirations++;
    stats_.misses++;
    return false;
  }
  lru_.splice(lru_.begin(), lru_, it);
  serveStored(it->stored, now, c, out);
  stats_.hits++;
  return true;
}

void Cache::sweep(double now) {
  lastSweep_ = now;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->expires <= now) {
      erase(it);
      stats_.expirations++;
    }
    it = next;
  }
}

void Cache::clear() {
  lru_.clear();
  index_.clear();
  stats_.entries = 0;
  stats_.bytes = 0;
}

void Cache::evictTo(size_t entries, size_t bytes) {
  while (!lru_.empty() && (stats_.entries > entries || stats_.bytes > bytes)) {
    erase(std::prev(lru_.end()));
    stats_.evictions++;
  }
}

void Cache::erase(std::list<Entry>::iterator it) {
  stats_.entries--;
  stats_.bytes -= it->cost;
  index_.erase(it->key);
  lru_.erase(it);
}

}  // namespace sy::dns
