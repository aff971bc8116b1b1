// SPDX-License-Identifier: Apache-2.0
#include "ipv4-udp.h"

#include "checksum.h"
#include "writer.h"

namespace sy::wire {

const char* frameErrorName(FrameError e) {
  switch (e) {
    case FrameError::None: return "ok";
    case FrameError::TooShort: return "frame shorter than IPv4+UDP headers";
    case FrameError::NotIpv4: return "not IPv4";
    case FrameError::BadHeaderLength: return "bad IPv4 header length";
    case FrameError::NotUdp: return "not UDP";
    case FrameError::Fragment: return "IPv4 fragment";
    case FrameError::TotalLengthShort: return "IPv4 total length below IP+UDP headers";
    case FrameError::TotalLengthLong: return "IPv4 total length beyond bytes received";
    case FrameError::UdpLengthBad: return "UDP length inconsistent with IPv4 length";
    case FrameError::WrongPort: return "wrong UDP destination port";
    case FrameError::BadIpChecksum: return "bad IPv4 header checksum";
    case FrameError::BadUdpChecksum: return "bad UDP checksum";
  }
  return "?";
}

FrameError parseIpv4Udp(const uint8_t* frame, size_t len, uint16_t wantDstPort,
                        bool verifyUdpChecksum, UdpDatagram* out) {
  if (len < kIpv4HeaderMin + kUdpHeader) return FrameError::TooShort;
  Reader ip(frame, len);
  uint8_t verIhl = ip.u8();
  if ((verIhl >> 4) != 4) return FrameError::NotIpv4;
  size_t hlen = size_t{verIhl & 0x0fu} * 4;
  if (hlen < kIpv4HeaderMin || hlen + kUdpHeader > len) return FrameError::BadHeaderLength;
  ip.u8();  // TOS
  size_t totLen = ip.be16();
  ip.be16();  // id
  uint16_t frag = ip.be16();
  ip.u8();  // TTL
  uint8_t proto = ip.u8();
  ip.be16();  // checksum, verified below
  uint32_t src = ip.be32();
  uint32_t dst = ip.be32();
  if (!ip.ok()) return FrameError::TooShort;
  if (proto != 17) return FrameError::NotUdp;
  if ((frag & 0x2000) || (frag & 0x1fff)) return FrameError::Fragment;
  // CVE-2023-28488: tot_len is attacker data; it bounds everything after it only
  // once it is known to cover both headers and to fit in what was received.
  if (totLen < hlen + kUdpHeader) return FrameError::TotalLengthShort;
  if (totLen > len) return FrameError::TotalLengthLong;

  Reader udp(frame + hlen, totLen - hlen);
  uint16_t sport = udp.be16();
  uint16_t dport = udp.be16();
  size_t udpLen = udp.be16();
  udp.be16();  // checksum
  if (!udp.ok()) return FrameError::UdpLengthBad;
  if (udpLen != totLen - hlen) return FrameError::UdpLengthBad;
  if (dport != wantDstPort) return FrameError::WrongPort;

  if (ipv4HeaderChecksum(frame, hlen) != 0) return FrameError::BadIpChecksum;
  uint16_t sent = static_cast<uint16_t>((frame[hlen + 6] << 8) | frame[hlen + 7]);
  // RFC 768: a zero checksum means the sender did not compute one.
  if (verifyUdpChecksum && sent != 0 && udpChecksum(src, dst, frame + hlen, udpLen) != 0)
    return FrameError::BadUdpChecksum;

  out->src = src;
  out->dst = dst;
  out->srcPort = sport;
  out->dstPort = dport;
  out->payload = Span{frame + hlen + kUdpHeader, udpLen - kUdpHeader};
  return FrameError::None;
}

std::vector<uint8_t> buildIpv4Udp(uint32_t src, uint32_t dst, uint16_t srcPort,
                                  uint16_t dstPort, const uint8_t* payload, size_t len) {
  std::vector<uint8_t> f;
  f.reserve(kIpv4HeaderMin + kUdpHeader + len);
  Writer w(&f);
  size_t total = kIpv4HeaderMin + kUdpHeader + len;
  w.u8(0x45);
  w.u8(0);  // TOS: RFC 2474 default
  w.be16(static_cast<uint16_t>(total));
  w.be16(0);  // id: unfragmented datagram (RFC 6864)
  w.be16(0);  // flags/offset
  w.u8(64);
  w.u8(17);
  w.be16(0);
  w.be32(src);
  w.be32(dst);
  w.be16At(10, ipv4HeaderChecksum(f.data(), kIpv4HeaderMin));
  w.be16(srcPort);
  w.be16(dstPort);
  w.be16(static_cast<uint16_t>(kUdpHeader + len));
  w.be16(0);
  w.bytes(payload, len);
  uint16_t c = udpChecksum(src, dst, f.data() + kIpv4HeaderMin, kUdpHeader + len);
  w.be16At(kIpv4HeaderMin + 6, c == 0 ? 0xffff : c);
  return f;
}

}  // namespace sy::wire
