# Independent computation of dialgate's documented key-management constructions (for pinned test values).
import hashlib, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization as s

def b2(data, key=b""):
    return hashlib.blake2b(data, digest_size=32, key=key).digest()

def identity(seed):
    sseed = b2(b"dialgate identity v1 signing seed", seed)
    aseed = b2(b"dialgate identity v1 agreement seed", seed)
    ed = Ed25519PrivateKey.from_private_bytes(sseed)
    edpk = ed.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    xsk = hashlib.sha512(aseed).digest()[:32]
    xpk = X25519PrivateKey.from_private_bytes(xsk).public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    sig = ed.sign(b"dialgate identity v1" + xpk)
    fp = b2(b"dialgate fingerprint v1" + edpk + xpk)
    return edpk, xpk, sig, fp

host = identity(bytes(range(32)))
guest = identity(bytes(range(32, 64)))
for name, i in [("host", host), ("guest", guest)]:
    print(name, "edpk", i[0].hex()); print(name, "xpk", i[1].hex()); print(name, "sig", i[2].hex()); print(name, "fp", i[3].hex())

secret = bytes(range(0xA0, 0xC0))
commitment = b2(b"dialgate epoch secret commitment v1", secret)
print("commitment", commitment.hex())
def text(t): return struct.pack(">H", len(t)) + t
holders = sorted([host[3], guest[3]])
enc = b"dialgate epoch manifest" + bytes([2]) + text(b"123456789") + struct.pack(">Q", 7) + bytes([2]) + host[3] + commitment
enc += struct.pack(">H", 2) + b"".join(holders)
enc += struct.pack(">H", 0)  # co-hosts: none (encoding version 2)
enc += struct.pack(">H", 3) + struct.pack(">Q", 1) + bytes([1]) + host[3] + struct.pack(">Q", 2) + bytes([1]) + guest[3]
enc += struct.pack(">Q", 0x1234) + bytes([1]) + guest[3]
enc += text(b"join")
print("encoding", enc.hex())
h = b2(enc)
print("hash", h.hex())
d = b2(b"dialgate security code v1" + h)
print("code", " ".join("%05d" % (int.from_bytes(d[5*i:5*i+5], "big") % 100000) for i in range(6)))
ed = Ed25519PrivateKey.from_private_bytes(b2(b"dialgate identity v1 signing seed", bytes(range(32))))
print("manifest sig", ed.sign(enc).hex())
