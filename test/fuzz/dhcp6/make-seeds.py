#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the DHCPv6 fuzz seed corpora: one named seed per ConnMan CVE row that
applies to DHCPv6 (../shared/reference/connman-cves.md) plus well-formed messages to
mutate from. parse/ seeds are bare DHCPv6 messages (UDP payloads); client/ seeds use
the layout of native/fuzz/fuzz_dhcp6_client.cc: [state][flags]([len16][bytes])*."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAC = bytes([0x02, 0x00, 0x5E, 0x10, 0x20, 0x30])
DUID = bytes([0, 3, 0, 1]) + MAC
SERVER = bytes([0, 3, 0, 1, 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE])
IAID = 0x5E102030
ADDR = bytes.fromhex("20010db8000100000000000000000100")
PREFIX = bytes.fromhex("20010db8ff0000000000000000000000")
DNS = bytes.fromhex("20010db8000100000000000000000053")


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def msg(mtype, body, xid=0x123456):
    return struct.pack("!I", (mtype << 24) | xid) + body


def names(*ns):
    out = b""
    for n in ns:
        for label in n.split("."):
            out += bytes([len(label)]) + label.encode()
        out += b"\0"
    return out


def ia_na(t1=900, t2=1440, pref=1800, valid=3600):
    return opt(3, struct.pack("!III", IAID, t1, t2) + opt(5, ADDR + struct.pack("!II", pref, valid)))


def ia_pd(length=56):
    return opt(25, struct.pack("!III", IAID, 900, 1440) +
               opt(26, struct.pack("!IIB", 1800, 3600, length) + PREFIX))


def common():
    ntp = opt(56, opt(1, DNS) + opt(3, names("ntp.lab6.test")))
    return opt(23, DNS) + opt(24, names("lab6.test", "corp.example")) + ntp


def ids():
    return opt(1, DUID) + opt(2, SERVER)


PARSE = {
    "advertise-ia-na-dns-domains-ntp": msg(2, ids() + opt(7, b"\x0a") + ia_na() + common()),
    "reply-rapid-commit-ia-na": msg(7, ids() + opt(14, b"") + ia_na() + common()),
    "reply-ia-pd-56": msg(7, ids() + ia_pd() + common()),
    "reply-information-refresh": msg(7, ids() + common() + opt(32, struct.pack("!I", 600))),
    "reply-status-noaddrsavail": msg(7, ids() + opt(13, b"\x00\x02none")),
    "reply-ia-na-status-nobinding": msg(7, ids() + opt(3, struct.pack("!III", IAID, 0, 0) + opt(13, b"\x00\x03"))),
    # CVE-2012-2322: gdhcp's dhcpv6_get_option trusted the option length.
    "cve-2012-2322-option-length-past-end": msg(7, ids() + struct.pack("!HH", 23, 0x20) + DNS[:2]),
    "cve-2012-2322-option-length-ffff-wrap": msg(7, opt(1, DUID) + struct.pack("!HH", 2, 0xFFFF) + b"\x01\x02\x03\x04"),
    "cve-2012-2322-nested-iaaddr-past-ia": msg(7, ids() + opt(3, struct.pack("!III", IAID, 10, 20) +
                                                             struct.pack("!HH", 5, 0xFFF0) + ADDR[:4])),
    "cve-2012-2322-nested-iaprefix-past-ia-pd": msg(7, ids() + opt(25, struct.pack("!III", IAID, 10, 20) +
                                                                  struct.pack("!HH", 26, 0x8000) + b"\0" * 9)),
    "cve-2012-2322-ntp-suboption-past-end": msg(7, ids() + opt(56, struct.pack("!HH", 1, 0x100) + DNS)),
    # CVE-2012-2321's class: strings from the wire with shell metacharacters.
    "cve-2012-2321-domain-list-shell-metachar": msg(7, ids() + opt(24, b"\x07a;rm -rf\x00")),
    "cve-2012-2321-ntp-fqdn-backticks": msg(7, ids() + opt(56, opt(3, b"\x05`id`x\x00"))),
    # CVE-2021-26676's class: a message shorter than its header / options cut short.
    "cve-2021-26676-short-header": b"\x07\x12\x34",
    "cve-2021-26676-option-header-cut": msg(7, ids() + b"\x00\x17\x00"),
    "domain-list-compression-pointer": msg(7, ids() + opt(24, b"\x01a\xc0\x00")),
    "t1-above-t2-ia-na": msg(7, ids() + ia_na(t1=2000, t2=1000)),
}


def chunk(b):
    return struct.pack("!H", len(b)) + b


# Client seeds: the fuzzer patches xid and Client Identifier in with flag bit 0, so
# the messages below carry only the Server Identifier and the payload.
SID = opt(2, SERVER)
CLIENT = {
    # [state][flags]: states 0 SOLICITING .. 8 STOPPED, see the fuzz target.
    "soliciting-advertise-then-fire": bytes([0, 0x03]) + chunk(msg(2, SID + ia_na() + common())),
    "soliciting-rapid-commit-reply": bytes([0, 0x01]) + chunk(msg(7, SID + opt(14, b"") + ia_na())),
    "requesting-reply-ia-na-and-pd": bytes([1, 0x09]) + chunk(msg(7, SID + ia_na() + ia_pd())),
    "renewing-reply-nobinding": bytes([3, 0x03]) + chunk(msg(7, SID + opt(3, struct.pack("!III", IAID, 0, 0) + opt(13, b"\x00\x03")))),
    "rebinding-reply-zero-lifetimes": bytes([4, 0x03]) + chunk(msg(7, SID + ia_na(0, 0, 0, 0))),
    "confirming-reply-notonlink": bytes([5, 0x01]) + chunk(msg(7, SID + opt(13, b"\x00\x04"))),
    "informing-reply-refresh-1s": bytes([6, 0x03]) + chunk(msg(7, SID + common() + opt(32, b"\x00\x00\x00\x01"))),
    "bound-link-changed-then-reply": bytes([2, 0x07]) + chunk(msg(7, SID + ia_na())),
    "stopped-late-reply": bytes([8, 0x01]) + chunk(msg(7, SID + ia_na())),
    "cve-2012-2322-option-length-past-end": bytes([0, 0x01]) + chunk(msg(7, SID + struct.pack("!HH", 3, 0xFFFC) + b"\x5e\x10")),
    "cve-2012-2322-nested-iaaddr-past-ia": bytes([1, 0x01]) + chunk(msg(7, SID + opt(3, struct.pack("!III", IAID, 10, 20) + struct.pack("!HH", 5, 0xFFF0) + ADDR[:4]))),
    "cve-2012-2321-domain-list-shell-metachar": bytes([1, 0x01]) + chunk(msg(7, SID + ia_na() + opt(24, b"\x07a;rm -rf\x00"))),
    "cve-2021-26676-short-header": bytes([0, 0x00]) + chunk(b"\x02\x12"),
}


def write(sub, seeds):
    d = os.path.join(HERE, "seeds", sub)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


# ndopt/: RTM_NEWNDUSEROPT payloads (struct nduseroptmsg, options, NDUSEROPT_SRCADDR)
# and AF_INET6 RTM_NEWLINK payloads, in host byte order like the kernel's.
def useropt(opts, ifindex=3, router=True):
    v = struct.pack("=BBHiBBHI", 10, 0, len(opts), ifindex, 134, 0, 0, 0) + opts
    if router:
        v += struct.pack("=HH", 20, 1) + bytes.fromhex("fe800000000000000000000000000001")
    return v


def rdnss(lifetime, *servers):
    return bytes([25, 1 + 2 * len(servers), 0, 0]) + struct.pack("!I", lifetime) + b"".join(servers)


def dnssl(lifetime, *ns):
    body = names(*ns)
    total = (8 + len(body) + 7) // 8 * 8
    return (bytes([31, total // 8, 0, 0]) + struct.pack("!I", lifetime) + body).ljust(total, b"\0")


def ifinfo(flags, ifindex=3):
    protinfo = struct.pack("=HHI", 8, 1, flags)
    return struct.pack("=BBHiII", 10, 0, 1, ifindex, 0, 0) + struct.pack("=HH", 4 + len(protinfo), 12 | 0x8000) + protinfo


NDOPT = {
    "rdnss-two-servers-600s": useropt(rdnss(600, DNS, ADDR)),
    "dnssl-two-domains-1200s": useropt(dnssl(1200, "lab6.test", "corp.example")),
    "rdnss-withdrawn-lifetime-0": useropt(rdnss(0, DNS), router=False),
    "ifinfo-managed-otherconf": ifinfo(0x40 | 0x80 | 0x20),
    "ifinfo-otherconf-only": ifinfo(0x80 | 0x20),
    # CVE-2012-2322's class (a length from the wire trusted) in the ND path.
    "cve-2012-2322-class-opts-len-past-message": useropt(rdnss(60, DNS))[:2] + b"\xff\x0f" + useropt(rdnss(60, DNS))[4:],
    "cve-2012-2322-class-nd-option-length-zero": useropt(bytes([25, 0, 0, 0, 0, 0, 0, 0])),
    "cve-2012-2322-class-nd-option-past-opts": useropt(bytes([25, 9]) + rdnss(60, DNS)[2:]),
    "rdnss-ragged-address-list": useropt(bytes([25, 2, 0, 0, 0, 0, 0, 60]) + DNS[:8]),
    "cve-2012-2321-dnssl-shell-metachar": useropt(bytes([31, 2, 0, 0, 0, 0, 0, 60, 3]) + b"a;b\0\0\0\0"),
    "dnssl-compression-pointer": useropt(bytes([31, 2, 0, 0, 0, 0, 0, 60, 1]) + b"a\xc0\0\0\0\0\0"),
}

write("parse", PARSE)
write("ndopt", NDOPT)
write("client", CLIENT)
