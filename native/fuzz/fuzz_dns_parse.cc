// SPDX-License-Identifier: Apache-2.0
// The DNS message parser, then everything that uses a parse: storing and serving a cached answer,
// and rewriting owner names (the search-domain path). Any message that parses must survive both,
// and the results must parse again.
#include <cstdlib>
#include <vector>

#include "../core/dns/cache.h"
#include "../core/dns/message.h"

using namespace sy::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Message m;
  if (parseMessage(data, size, &m) != ParseError::None || !m.hasQuestion) return 0;
  Stored s;
  prepareStored(data, m, 100, &s);
  ClientView c;
  c.id = 7;
  c.qname = m.qname;
  c.edns = (size & 1) != 0;
  c.limit = (size & 2) ? 512 : 4096;
  std::vector<uint8_t> out;
  serveStored(s, 150, c, &out);
  Message again;
  if (parseMessage(out.data(), out.size(), &again) != ParseError::None) std::abort();
  if (out.size() > c.limit) std::abort();
  Name to;
  nameFromText("host", &to);
  std::vector<uint8_t> rewritten;
  if (rewriteOwner(data, size, m, to, m.qname, &rewritten) &&
      parseMessage(rewritten.data(), rewritten.size(), &again) != ParseError::None)
    std::abort();
  Cache cache;
  uint8_t bits = static_cast<uint8_t>(size & 7);
  cache.insert(data, m, bits, 100);
  cache.lookup(m.qname, m.qtype, m.qclass, bits, 101, c, &out);
  return 0;
}
