#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the DHCPv4 fuzz seed corpora: one named seed per ConnMan DHCP CVE row
(../shared/reference/connman-cves.md) plus well-formed messages to mutate from.
parse/ seeds are raw frames or BOOTP payloads; client/ seeds use the layout of
native/fuzz/fuzz_dhcp4_client.cc: [state][flags]([len16][bytes])*."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAC = bytes([0x02, 0x00, 0x5e, 0x10, 0x20, 0x30])
SERVER = bytes([192, 168, 7, 1])
YIADDR = bytes([192, 168, 7, 100])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def opt(code, data):
    return bytes([code, len(data)]) + data


def bootp(mtype, options=b"", xid=0, sname=b"", file=b"", end=True, pad=True):
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, xid, 0, 0,
                        b"\0" * 4, YIADDR, b"\0" * 4, b"\0" * 4, MAC, sname, file)
    m = fixed + b"\x63\x82\x53\x63" + opt(53, bytes([mtype])) + opt(54, SERVER) + options
    if end:
        m += b"\xff"
    if pad and len(m) < 300:
        m += b"\0" * (300 - len(m))
    return m


def frame(payload, tot_len=None, udp_len=None, src=SERVER, dst=YIADDR, dport=68):
    ulen = 8 + len(payload) if udp_len is None else udp_len
    tl = 20 + 8 + len(payload) if tot_len is None else tot_len
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl & 0xFFFF, 0, 0, 64, 17, 0, src, dst))
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    udp = bytearray(struct.pack("!HHHH", 67, dport, ulen & 0xFFFF, 0)) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(udp))
    c = csum(pseudo + bytes(udp)) or 0xFFFF
    struct.pack_into("!H", udp, 6, c)
    return bytes(ip) + bytes(udp)


LEASE = opt(51, struct.pack("!I", 3600)) + opt(1, bytes([255, 255, 255, 0])) + \
    opt(3, SERVER) + opt(6, bytes([192, 168, 7, 53, 9, 9, 9, 9])) + opt(15, b"lan.example")

ack = bootp(5, LEASE)
offer = bootp(2, LEASE)
seeds = {
    "valid-offer": offer,
    "valid-ack-full-options": bootp(5, LEASE + opt(26, b"\x05\x78") + opt(42, SERVER) +
                                    opt(28, bytes([192, 168, 7, 255])) + opt(12, b"box-1") +
                                    opt(114, b"https://portal/") + opt(252, b"http://wpad/w.dat") +
                                    opt(119, b"\x03lan\x07example\x00") +
                                    opt(33, bytes([10, 0, 0, 1, 192, 168, 7, 1]))),
    "valid-nak": bootp(6),
    "overload-file-and-sname": bootp(5, opt(51, struct.pack("!I", 60)) + opt(52, b"\x03"),
                                     file=opt(6, bytes([1, 1, 1, 1])) + b"\xff",
                                     sname=opt(15, b"home") + b"\xff"),
    "rfc3396-split-dns": bootp(5, LEASE + opt(52, b"\x01") + opt(6, bytes([10, 0, 0, 1])) +
                               opt(6, bytes([10, 0])), file=opt(6, bytes([0, 2])) + b"\xff"),
    "classless-routes-121": bootp(5, LEASE + opt(121, bytes([0, 192, 168, 7, 254, 8, 10, 192, 168, 7, 2,
                                                             24, 172, 16, 5, 192, 168, 7, 3]))),
    "classless-routes-121-malformed": bootp(5, LEASE + opt(121, bytes([33, 10, 0, 0]))),
    # CVE-2021-26676: shorter than the BOOTP header; options past the received length.
    "cve-2021-26676-offer-shorter-than-bootp-header": offer[:200],
    "cve-2021-26676-ack-shorter-than-bootp-header": ack[:239],
    "cve-2021-26676-option-length-past-end": bootp(5, LEASE + bytes([6, 200, 1, 2, 3, 4]),
                                                   end=False, pad=False),
    "cve-2021-26676-overloaded-file-option-past-field":
        bootp(5, LEASE + opt(52, b"\x01"), file=b"\0" * 126 + bytes([6, 8])),
    # CVE-2012-2321: shell metacharacters in hostname / domain name.
    "cve-2012-2321-hostname-shell-metachars": bootp(5, LEASE + opt(12, b"x;reboot`id`$(id)")),
    "cve-2012-2321-domain-nonprintable": bootp(5, LEASE + opt(15, b"a\0b\nc")),
    # Hardening: option 252 with zero length (281e352c, 8018165a).
    "option-252-zero-length": bootp(5, LEASE + opt(252, b"")),
    "domain-search-119-compressed": bootp(5, LEASE + opt(119, b"\x03eng\x07example\x03com\x00\xc0\x04")),
    "domain-search-119-pointer-loop": bootp(5, LEASE + opt(119, b"\x03abc\xc0\x00")),
    "captive-portal-114-and-wpad-252": bootp(5, LEASE + opt(114, b"https://portal.example/") +
                                           opt(252, b"http://wpad.example/wpad.dat")),
    # Hardening: L3 ACK of minimal legal length must still be accepted (49b16df3).
    "l3-ack-minimal-length-unpadded": bootp(5, opt(51, struct.pack("!I", 120)), pad=False),
}
l2 = {
    "l2-valid-offer": frame(offer),
    "l2-valid-ack": frame(ack),
    # CVE-2023-28488: tot_len below IP+UDP headers, or different from bytes received.
    "cve-2023-28488-totlen-below-headers": frame(offer, tot_len=20),
    "cve-2023-28488-totlen-27": frame(offer, tot_len=27),
    "cve-2023-28488-totlen-above-received": frame(offer, tot_len=20 + 8 + len(offer) + 400),
    "cve-2023-28488-totlen-below-received": frame(offer, tot_len=20 + 8 + len(offer) - 10),
    "cve-2023-28488-udp-length-below-header": frame(offer, udp_len=4),
    "l2-cve-2021-26676-short-offer": frame(offer[:200]),
}

# client states as numbered in fuzz_dhcp4_client.cc
STATES = {"selecting": 0, "requesting": 1, "bound": 2, "renewing": 3, "rebinding": 4,
          "rebooting": 5, "init": 6, "stopped": 7}


def client_seed(state, flags, *chunks):
    b = bytes([STATES[state], flags])
    for c in chunks:
        b += struct.pack("!H", len(c)) + c
    return b


client = {
    "selecting-offer-patched-l2": client_seed("selecting", 1 | 2, offer),
    "requesting-ack-patched-l2-then-timeout": client_seed("requesting", 1 | 2 | 8, ack),
    "requesting-nak-patched-l2": client_seed("requesting", 1 | 2, bootp(6)),
    "renewing-ack-patched-udp": client_seed("renewing", 1 | 4, ack),
    "rebinding-ack-patched-l2": client_seed("rebinding", 1 | 2, ack),
    "rebooting-ack-patched-l2": client_seed("rebooting", 1 | 2, ack),
    "init-offer-patched-l2-then-timeout": client_seed("init", 1 | 2 | 8, offer),
    "stopped-ack-patched-udp": client_seed("stopped", 1 | 4, ack),
    "bound-garbage-raw-frames": client_seed("bound", 8, b"\xa5" * 300, b"\x45" * 40),
    "bound-decline-then-offer-l2": client_seed("bound", 1 | 2 | 8 | 16, b"\x00" * 4, offer),
    "cve-2021-26676-requesting-short-ack": client_seed("requesting", 1 | 2, ack[:200]),
    "cve-2021-26676-selecting-option-past-end":
        client_seed("selecting", 1 | 2, seeds["cve-2021-26676-option-length-past-end"]),
    "cve-2023-28488-selecting-totlen-below-headers":
        client_seed("selecting", 0, l2["cve-2023-28488-totlen-below-headers"]),
    "cve-2023-28488-selecting-totlen-above-received":
        client_seed("selecting", 0, l2["cve-2023-28488-totlen-above-received"]),
    "cve-2012-2321-requesting-hostname-shell":
        client_seed("requesting", 1 | 2, seeds["cve-2012-2321-hostname-shell-metachars"]),
    "option-252-zero-length-requesting":
        client_seed("requesting", 1 | 2, seeds["option-252-zero-length"]),
    "l3-ack-minimal-length-renewing-udp":
        client_seed("renewing", 1 | 4, seeds["l3-ack-minimal-length-unpadded"]),
}


def write(sub, items):
    d = os.path.join(HERE, "seeds", sub)
    os.makedirs(d, exist_ok=True)
    for name, data in items.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("parse", {**seeds, **l2})
write("client", client)
print("wrote", len(seeds) + len(l2), "parse seeds and", len(client), "client seeds")
