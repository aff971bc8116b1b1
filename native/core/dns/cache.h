// SPDX-License-Identifier: Apache-2.0
// The answer cache: every record type, keys compared without case (RFC 4343), TTLs counted down in
// what is served, negative answers kept for min(SOA TTL, SOA MINIMUM) as RFC 2308 5 says, bounded
// in entries and bytes. Eviction drops expired entries first (a periodic sweep and on lookup),
// then the least recently used. A reply is kept as the bytes the upstream sent (with the question
// in our own spelling), plus the offsets of its TTLs, so a hit is a copy and a few patches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "message.h"

namespace sy::dns {

// What a client asked, which decides how a stored answer is dressed for it.
struct ClientView {
  uint16_t id = 0;
  uint16_t flags = 0;   // its RD and CD bits are echoed
  Name qname;           // as spelled by the client (0x20 case randomisation survives)
  bool edns = false;
  size_t limit = 512;   // largest reply it can take: 512, its EDNS size (capped), or 65535 on TCP
};

// A reply prepared for serving: bytes up to the last record, where the TTLs are, and the OPT
// record's span if it is the last record (the only place it can be cut from without moving
// anything a compression pointer refers to).
struct Stored {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> ttlOffsets;
  std::vector<uint32_t> ttls;
  int64_t optStart = -1;
  double storedAt = 0;
};

// Builds a Stored from a parsed reply whose question is the client's question (same name modulo
// case, same type and class).
void prepareStored(const uint8_t* data, const Message& m, double now, Stored* out);

// Writes the answer for `c` into out: ID, RD/CD and the question's case from the client, TTLs
// reduced by the time spent in the cache, OPT removed for a client without EDNS, and a bare
// truncated reply (TC) when the result is larger than the client can take.
void serveStored(const Stored& s, double now, const ClientView& c, std::vector<uint8_t>* out);

// The query bits that change what an upstream may answer, so an entry serves only queries that
// set them alike: DO asks for the RRSIGs (RFC 3225 3), CD for data that failed validation
// (RFC 4035 3.2.2), RD for recursion (a non-recursive answer may be a mere referral).
enum : uint8_t { kKeyDo = 1, kKeyCd = 2, kKeyRd = 4 };
uint8_t keyBits(bool dnssecOk, uint16_t flags);

struct CacheLimits {
  size_t maxEntries = 4096;
  size_t maxBytes = 2u << 20;
  uint32_t maxTtl = 86400;
  uint32_t maxNegativeTtl = 3600;  // RFC 2308 7: one to three hours is a sensible ceiling
};

struct CacheStats {
  uint64_t hits = 0, misses = 0, inserts = 0, evictions = 0, expirations = 0;
  size_t entries = 0, bytes = 0;
};

class Cache {
 public:
  explicit Cache(CacheLimits limits = {}) : limits_(limits) {}

  // Seconds the reply may be cached for, 0 when it must not be (SERVFAIL, TC, a negative answer
  // without an SOA, a zero TTL).
  uint32_t cacheableFor(const Message& m) const;
  // Stores a parsed reply under its question and the bits of the query that asked for it (keyBits);
  // no-op when it is not cacheable.
  void insert(const uint8_t* data, const Message& m, uint8_t bits, double now);
  // Serves a hit into out; false on a miss (or an entry that has just expired).
  bool lookup(const Name& qname, uint16_t qtype, uint16_t qclass, uint8_t bits, double now, const ClientView& c,
              std::vector<uint8_t>* out);
  // The lower-cased name, type, class and bits: the cache's key, also the forwarder's key for
  // merging identical queries in flight.
  static void makeKey(const Name& n, uint16_t type, uint16_t cls, uint8_t bits, std::string* key);
  void sweep(double now);
  void clear();
  const CacheStats& stats() const { return stats_; }

 private:
  struct Entry {
    std::string key;
    Stored stored;
    double expires = 0;
    size_t cost = 0;
  };
  void evictTo(size_t entries, size_t bytes);
  void erase(std::list<Entry>::iterator it);

  CacheLimits limits_;
  CacheStats stats_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::string keyScratch_;
  double lastSweep_ = -1e300;
};

}  // namespace sy::dns
