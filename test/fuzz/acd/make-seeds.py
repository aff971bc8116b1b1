#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the ARP / IPv4-LL fuzz seed corpora. arp/ seeds are ARP payloads as an
AF_PACKET/SOCK_DGRAM socket delivers them; ipv4ll/ seeds use the layout of
native/fuzz/fuzz_ipv4ll_acd.cc: [stage]([len8][flags8][bytes])*. ConnMan's CVE list
has no ARP row; the truncation and length-field seeds cover the same bug class."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = bytes([0x02, 0, 0x5e, 1, 2, 3])
THEIRS = bytes([0x02, 0x11, 0x22, 0x33, 0x44, 0x55])
LL = bytes([169, 254, 9, 9])
ZERO4 = bytes(4)


def arp(op, sha, spa, tha, tpa, htype=1, ptype=0x0800, hlen=6, plen=4):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


probe = arp(1, THEIRS, ZERO4, bytes(6), LL)
announce = arp(1, THEIRS, LL, bytes(6), LL)
reply = arp(2, THEIRS, LL, OURS, LL)

ARP = {
    "probe": probe,
    "announce": announce,
    "reply": reply,
    "reply-with-ethernet-padding": reply + bytes(18),
    "truncated-before-target-address": reply[:24],
    "header-only": reply[:8],
    "hlen-16-moves-every-field": arp(2, THEIRS, LL, OURS, LL, hlen=16),
    "plen-16-ipv6-style": arp(2, THEIRS, LL, OURS, LL, plen=16),
    "rarp-op-3": arp(3, THEIRS, LL, OURS, LL),
    "empty": b"",
}


def ll_seed(stage, *chunks):
    out = bytes([stage])
    for flags, body in chunks:
        out += bytes([len(body) & 0xFF, flags]) + body
    return out


IPV4LL = {
    "probing-conflicting-reply-patched-sender": ll_seed(1, (1, reply)),
    "probing-competing-probe-patched-target": ll_seed(1, (1 | 8, probe)),
    "defending-two-conflicts-then-timeout": ll_seed(3, (1, announce), (1 | 2, announce)),
    "defending-conflict-after-defend-interval": ll_seed(3, (1, announce), (1 | 0xF0, announce),
                                                        (1 | 0xF0, announce)),
    "waiting-stop-restart": ll_seed(0, (4, probe), (2, b"")),
    "announcing-truncated": ll_seed(2, (1 | 2, reply[:20]), (2, reply[:27])),
}

for sub, seeds in (("arp", ARP), ("ipv4ll", IPV4LL)):
    d = os.path.join(HERE, "seeds", sub)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
