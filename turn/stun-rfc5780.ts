import { decodeXorAddress, findAttr, StunAttr, type StunAddress, type StunAttribute, type StunMessage } from './stun-message.js';

/**
 * The wire format of NAT behaviour discovery (RFC 5780 §7): the attributes a Binding request and
 * response carry on top of RFC 5389's. Types and codecs only; the tests that use them are in
 * nat-behaviour.ts. OTHER-ADDRESS and RESPONSE-ORIGIN use MAPPED-ADDRESS's (un-XORed) layout.
 */

export const Rfc5780Attr = {
  ChangeRequest: 0x0003,
  ResponseOrigin: 0x802b,
  OtherAddress: 0x802c,
} as const;

/** CHANGE-REQUEST flags (RFC 5780 §7.2): bit A changes the IP, bit B the port of the response's source. */
export interface ChangeRequest {
  changeIp: boolean;
  changePort: boolean;
}

const CHANGE_IP_FLAG = 0x04;
const CHANGE_PORT_FLAG = 0x02;

export function changeRequestAttr(change: ChangeRequest): StunAttribute {
  const value = Buffer.alloc(4);
  value.writeUInt32BE((change.changeIp ? CHANGE_IP_FLAG : 0) | (change.changePort ? CHANGE_PORT_FLAG : 0));
  return { type: Rfc5780Attr.ChangeRequest, value };
}

/** What a Binding success response says, as far as NAT discovery needs it. */
export interface BindingAnswer {
  /** XOR-MAPPED-ADDRESS: the requester as the server saw it. */
  mapped: StunAddress;
  /** OTHER-ADDRESS: the server's alternate IP and port; absent when the server does not do RFC 5780. */
  other: StunAddress | undefined;
  /** RESPONSE-ORIGIN: where the response was sent from. */
  origin: StunAddress | undefined;
}

function decodePlainAddress(value: Buffer | undefined): StunAddress | undefined {
  if (!value || value.length < 8 || value[1] !== 0x01) return undefined; // IPv4 only: our namespaces have no IPv6
  return { family: 'IPv4', address: [...value.subarray(4, 8)].join('.'), port: value.readUInt16BE(2) };
}

/** Undefined when `msg` is not a Binding success carrying XOR-MAPPED-ADDRESS. */
export function decodeBindingAnswer(msg: StunMessage): BindingAnswer | undefined {
  const mapped = decodeXorAddress(msg, StunAttr.XorMappedAddress);
  if (msg.cls !== 'success' || !mapped) return undefined;
  return { mapped, other: decodePlainAddress(findAttr(msg, Rfc5780Attr.OtherAddress)), origin: decodePlainAddress(findAttr(msg, Rfc5780Attr.ResponseOrigin)) };
}
