using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Octopus.TestKit;

/// <summary>SSH public keys for tests, in the authorized_keys form a user pastes.</summary>
public static class TestSshKeys
{
    /// <summary>A well-formed ssh-ed25519 public key with random key bytes (the wire form: length-prefixed type name and
    /// 32-byte key) and <paramref name="comment"/>.</summary>
    public static string Ed25519(string comment)
    {
        var bytes = new List<byte>();
        foreach (var f in new[] { Encoding.ASCII.GetBytes("ssh-ed25519"), RandomNumberGenerator.GetBytes(32) })
        {
            var len = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(len, (uint)f.Length);
            bytes.AddRange(len);
            bytes.AddRange(f);
        }
        return $"ssh-ed25519 {Convert.ToBase64String([.. bytes])} {comment}";
    }
}
