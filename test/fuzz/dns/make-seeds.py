#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the DNS fuzz seed corpora: one named seed per DNS row and hardening row of
../shared/reference/connman-cves.md, plus well-formed messages to mutate from.
  parse/  whole DNS messages (native/fuzz/fuzz_dns_parse.cc)
  name/   [offset16][message] for name decompression (fuzz_dns_name.cc)
  proxy/  [scenario]([kind][len16][bytes])* for the forwarder (fuzz_dns_proxy.cc): scenario picks the
          client query; kind 0 = upstream reply to the oldest open attempt, 1 = to the newest,
          2 = three seconds pass, 3 = the oldest attempt's socket fails, 4 = another client query.
          The fuzz RNG hands out query IDs 0x1000, 0x1001, ... in send order.
The native regression tests (test/native/dns-cve-test.cc) read these same files."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def name(text):
    if text in ("", "."):
        return b"\0"
    out = b""
    for label in text.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(id_, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", id_, flags, qd, an, ns, ar)


def question(qname, qtype=1, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def rr(owner, rtype, rdata, ttl=300, rclass=1, rdlen=None):
    if isinstance(owner, str):
        owner = name(owner)
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata) if rdlen is None else rdlen) + rdata


OPT = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
RESP = 0x8180  # QR RD RA


def soa(mname="ns.example.com", rname="host.example.com", minimum=60, fixed=None):
    tail = struct.pack("!IIIII", 1, 3600, 600, 86400, minimum) if fixed is None else fixed
    return name(mname) + name(rname) + tail


def ok_a(id_=0x1000, qname="www.example.com", addr=b"\x0a\x00\x00\x01", ttl=300):
    return header(id_, RESP, an=1, ar=1) + question(qname) + rr(b"\xc0\x0c", 1, addr, ttl) + OPT


def long_name_chain(id_=0x1000, qname="www.example.com"):
    # CVE-2017-12865: label runs that each point back at the previous one, carried in the RDATA of
    # an unknown-type record; the A record's owner points at the last run, so the name expands
    # far past 255 bytes (ConnMan wrote it into a 1 KiB stack buffer with no bound).
    head = header(id_, RESP, an=2) + question(qname)
    rr_fixed = b"\xc0\x0c" + struct.pack("!HHIH", 99, 1, 300, 0)
    base = len(head) + len(rr_fixed)
    chain = b""
    prev = 12
    for i in range(20):
        off = base + len(chain)
        chain += bytes([63]) + b"a" * 63 + struct.pack("!H", 0xC000 | prev)
        prev = off
    first = b"\xc0\x0c" + struct.pack("!HHIH", 99, 1, 300, len(chain)) + chain
    return head + first + struct.pack("!H", 0xC000 | prev) + struct.pack("!HHIH", 1, 1, 300, 4) + b"\x0a\0\0\1"


def seeds():
    parse = {
        "ok-a-compressed": ok_a(),
        "ok-aaaa": header(1, RESP, an=1) + question("v6.example.com", 28) + rr(b"\xc0\x0c", 28, bytes(15) + b"\1"),
        "ok-cname-chain": header(2, RESP, an=2) + question("www.example.com") +
        rr(b"\xc0\x0c", 5, b"\x03web\xc0\x10") + rr(b"\xc0\x2d", 1, b"\x0a\0\0\2"),
        "ok-mx-srv-txt": header(3, RESP, an=3) + question("example.com", 255) +
        rr(b"\xc0\x0c", 15, b"\0\x0a\x04mail\xc0\x0c") + rr(b"\xc0\x0c", 33, b"\0\1\0\2\0\x35\x02ns\xc0\x0c") +
        rr(b"\xc0\x0c", 16, b"\x05hello"),
        "ok-nxdomain-soa": header(4, RESP | 3, ns=1) + question("nope.example.com") +
        rr("example.com", 6, soa(), ttl=900),
        "ok-query-edns": header(5, 0x0100, ar=1) + question("www.example.com") + OPT,
        "cve-2017-12865-name-expands-past-1k": long_name_chain(),
        "cve-2021-33833-a-rdlength-past-end": header(6, RESP, an=1) + question("www.example.com") +
        rr(b"\xc0\x0c", 1, b"\x0a\0\0\1", rdlen=200),
        "cve-2021-33833-a-rdlength-5": header(7, RESP, an=1) + question("www.example.com") +
        rr(b"\xc0\x0c", 1, b"\x0a\0\0\1\1"),
        "cve-2021-33833-soa-short-fixed": header(8, RESP | 3, ns=1) + question("x.example.com") +
        rr("example.com", 6, soa(fixed=b"\0" * 12)),
        "cve-2022-23096-tcp-reply-under-header": b"\x12\x34\x81\x80\0",
        "cve-2022-23097-label-past-end": header(9, RESP, an=1) + question("host.corp.test") + b"\x3f" + b"ab",
        "cve-2025-32366-rdlength-ffff": header(0x1000, RESP, an=1) + question("www.example.com") +
        b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 0xFFFF) + b"\x0a\0\0\1",
        "cve-2025-32743-tc-root": header(0x1000, RESP | 0x0200) + question(".", 2),
        "hardening-6d2cec47-answer-without-domain": header(0x1001, RESP, an=1) + question("host.corp.test") +
        rr("other.example", 1, b"\x0a\0\0\3"),
        "hardening-8173d708-cname-rdlength-short": header(10, RESP, an=1) + question("www.example.com") +
        rr(b"\xc0\x0c", 5, b"\x03web\xc0\x10", rdlen=3) + b"\xc0\x10",
        "hardening-16044e9f-query-name-unterminated": header(11, 0x0100) + b"\x03www\x07exampl",
        "pointer-loop": header(12, RESP, an=1) + question("www.example.com") + b"\xc0\x21" +
        struct.pack("!HHIH", 1, 1, 1, 4) + b"\0\0\0\0",
        "counts-lie": header(13, RESP, an=0xffff) + question("www.example.com"),
        # Found by fuzz_dns_parse: an MX name pointing into a TTL, so serving from the cache (which
        # counts TTLs down) changed the name. Pointers must now land on a label.
        # Found by fuzz_dns_parse: rewriting owner names renamed the root-owned OPT record too.
        "fuzz-finding-rewrite-opt-owner": bytes.fromhex("000501000001000000000001000001000100002904d0000000000000"),
        "fuzz-finding-pointer-into-ttl": bytes.fromhex("000381800001000300000000076578616d706c6503636f6d0000ff0001c00c000f00010000012c0009000a046d61696cc026c00c002100010000012c000b000100020035026e73c00cc00c001000010000012c00060568656c6c6f"),
    }
    names = {k: struct.pack("!H", 12) + v for k, v in parse.items()}
    names["forward-pointer"] = struct.pack("!H", 12) + header(0, 0) + b"\xc0\x20" + b"\0" * 30
    names["self-pointer"] = struct.pack("!H", 12) + header(0, 0) + b"\xc0\x0c"
    names["max-length-ok"] = struct.pack("!H", 12) + header(0, 0) + (b"\x3f" + b"b" * 63) * 3 + b"\x3d" + b"c" * 61 + b"\0"

    def chunk(kind, data=b""):
        return bytes([kind]) + struct.pack("!H", len(data)) + data

    # Scenario 1 asks "host" A with search domains corp.test and lab.test: IDs 0x1000 (host),
    # 0x1001 (host.corp.test), 0x1002 (host.lab.test).
    big = b""
    for i in range(20):
        big += rr("host.corp.test", 1, b"\x0a\0\0\4")
    huge_names = long_name_chain(0x1001, "host.corp.test")
    proxy = {
        "ok-www": bytes([0]) + chunk(0, ok_a()),
        "ok-single-label-via-domain": bytes([1]) + chunk(0, header(0x1000, RESP | 3) + question("host")) +
        chunk(0, header(0x1001, RESP, an=1) + question("host.corp.test") + rr(b"\xc0\x0c", 1, b"\x0a\0\0\4")),
        "timeouts-then-answer": bytes([0]) + chunk(2) + chunk(0, ok_a(0x1001)),
        "servfail-failover": bytes([0]) + chunk(0, header(0x1000, RESP | 2) + question("www.example.com")) +
        chunk(0, ok_a(0x1001)),
        "garbage-failover": bytes([0]) + chunk(0, b"\xde\xad\xbe\xef" * 9) + chunk(0, ok_a(0x1001)),
        "cve-2017-12865-name-expands-past-1k": bytes([0]) + chunk(0, long_name_chain()),
        "cve-2021-26675-single-label-huge-names": bytes([1]) + chunk(1, huge_names) + chunk(1, big),
        "cve-2021-33833-a-rdlength-past-end": bytes([0]) + chunk(0, parse["cve-2021-33833-a-rdlength-past-end"]),
        "cve-2022-23096-tcp-reply-under-header": bytes([3]) + chunk(0, header(0x1000, RESP | 0x0200) +
                                                                    question("big.example.com", 16)) +
        chunk(0, b"\x10\x00\x81"),
        "cve-2022-23097-label-past-end": bytes([1]) + chunk(0, header(0x1000, RESP | 3) + question("host")) +
        chunk(0, header(0x1001, RESP, an=1) + question("host.corp.test") + b"\x3f" + b"ab"),
        "cve-2022-23098-tcp-silent": bytes([3]) + chunk(0, header(0x1000, RESP | 0x0200) + question("big.example.com", 16)) +
        chunk(2) + chunk(2) + chunk(2),
        "cve-2025-32366-rdlength-ffff": bytes([0]) + chunk(0, parse["cve-2025-32366-rdlength-ffff"]),
        "cve-2025-32743-tc-root": bytes([2]) + chunk(0, parse["cve-2025-32743-tc-root"]) +
        chunk(0, header(0x1001, RESP, an=1) + question(".", 2) + rr(b"\0", 2, name("a.root-servers.net"))),
        "hardening-6d2cec47-answer-without-domain": bytes([1]) + chunk(0, header(0x1000, RESP | 3) + question("host")) +
        chunk(0, parse["hardening-6d2cec47-answer-without-domain"]),
        "hardening-16044e9f-query-name-unterminated": bytes([0]) + chunk(4, parse["hardening-16044e9f-query-name-unterminated"]),
        # Found by fuzz_dns_proxy: a query with another opcode got NOTIMP without its question.
        # Found by fuzz_dns_proxy: a search-domain variant's SERVFAIL was passed on with the wrong question.
        "fuzz-finding-servfail-of-search-variant": bytes.fromhex("0100001610008183000100000000000024686f7374000001000100003010018182000100000000000004686f737404636f727004746573740000010001c00c000100010000012c00040a000004"),
        # Identical queries in flight share one upstream query; each client is answered under its own
        # ID and spelling. A DO query for the same name is another question and goes out on its own.
        "merge-identical-then-answer": bytes([0]) + chunk(4, header(0x5151, 0x0100) + question("WWW.example.COM")) +
        chunk(4, header(0x5252, 0x0100, ar=1) + question("www.example.com") + b"\0\0\x29\x04\xd0\0\0\x80\0\0\0") +
        chunk(0, ok_a()) + chunk(1, ok_a(0x1001)),
        "merge-identical-then-timeouts": bytes([0]) + chunk(4, header(0x5151, 0x0100) + question("wWw.Example.com")) +
        chunk(2) + chunk(2) + chunk(2) + chunk(2),
        "fuzz-finding-notimp-echoes-question": bytes.fromhex("00040017000b2f000001000000000000000002010060600029a5c0ae000000000003626967076578616d706c650363"),
    }
    return {"parse": parse, "name": names, "proxy": proxy}


def main():
    for corpus, items in seeds().items():
        d = os.path.join(HERE, "seeds", corpus)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        for k, v in items.items():
            with open(os.path.join(d, k), "wb") as fh:
                fh.write(v)
    print("wrote", sum(len(v) for v in seeds().values()), "seeds")


if __name__ == "__main__":
    main()
