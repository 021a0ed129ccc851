using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Octopus.Domain.Users;

/// <summary>An OpenSSH public key line (<c>TYPE BASE64 [COMMENT]</c>, as in <c>~/.ssh/id_ed25519.pub</c>), checked: the
/// type is one Octopus accepts (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521), the base64 decodes, and the key blob
/// inside names the same type and has the shape that type needs. What guests get in authorized_keys.</summary>
public sealed record SshPublicKey
{
    /// <summary>A key line longer than this is refused (a 16384-bit RSA key is about 2.8 KB).</summary>
    public const int MaxLength = 8192;

    private static readonly string[] Types = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    private SshPublicKey(string type, byte[] blob, string comment)
    {
        Type = type;
        Blob = blob;
        Comment = comment;
    }

    public string Type { get; }
    public IReadOnlyList<byte> Blob { get; }
    public string Comment { get; }

    /// <summary>OpenSSH's fingerprint: <c>SHA256:</c> and the unpadded base64 of the blob's SHA-256.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData([.. Blob])).TrimEnd('=');

    /// <summary>Parses and checks one key line; anything wrong is a validation error naming <paramref name="field"/> and
    /// saying what was expected.</summary>
    public static SshPublicKey Parse(string? text, string field = "publicKey")
    {
        var line = (text ?? "").Trim();
        if (line.Length == 0) throw DomainException.Invalid(field, "The public key is empty; paste one line of a .pub file, e.g. 'ssh-ed25519 AAAA… you@laptop'.");
        if (line.Length > MaxLength) throw DomainException.Invalid(field, $"The public key is {line.Length} characters; at most {MaxLength} are accepted.");
        if (line.Contains('\n', StringComparison.Ordinal))
            throw DomainException.Invalid(field, "The public key spans several lines; give one key (one line of a .pub file) at a time.");
        if (line.StartsWith("-----BEGIN", StringComparison.Ordinal))
            throw DomainException.Invalid(field, "That is a PEM file (a private key or a PKCS#8 public key); give the OpenSSH public key, the .pub file.");
        var parts = line.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        var type = parts[0];
        if (!Types.Contains(type, StringComparer.Ordinal))
            throw DomainException.Invalid(field, $"'{Short(type)}' is not a key type Octopus accepts; use {string.Join(", ", Types)}.");
        if (parts.Length < 2) throw DomainException.Invalid(field, $"The {type} key has no key data after its type; give the whole line of the .pub file.");
        byte[] blob;
        try { blob = Convert.FromBase64String(parts[1]); }
        catch (FormatException) { throw DomainException.Invalid(field, $"The key data of the {type} key is not valid base64; copy the .pub file's line unchanged."); }
        var reader = new BlobReader(blob);
        var inner = reader.String();
        if (inner is null || Encoding.ASCII.GetString(inner) != type)
            throw DomainException.Invalid(field, $"The key data says it is {(inner is null ? "nothing readable" : $"'{Short(Encoding.ASCII.GetString(inner))}'")}, not {type}; the line is damaged or mixed up.");
        var ok = type switch
        {
            "ssh-ed25519" => reader.String() is { Length: 32 } && reader.AtEnd,
            "ssh-rsa" => reader.String() is { Length: > 0 and <= 16 } && reader.String() is { Length: >= 128 } && reader.AtEnd, // e, then n of at least 1024 bits
            _ => reader.String() is { } curve && Encoding.ASCII.GetString(curve) == type["ecdsa-sha2-".Length..] && reader.String() is { Length: > 0 } && reader.AtEnd,
        };
        if (!ok) throw DomainException.Invalid(field, $"The key data is not a well-formed {type} key (wrong length or fields); copy the .pub file's line unchanged.");
        var comment = parts.Length > 2 ? parts[2].Trim() : "";
        if (comment.Any(char.IsControl)) throw DomainException.Invalid(field, "The key's comment holds control characters; remove them.");
        return new SshPublicKey(type, blob, comment);
    }

    /// <summary>The key line: type, base64 blob and the comment (if any).</summary>
    public override string ToString() => $"{Type} {Convert.ToBase64String([.. Blob])}{(Comment.Length > 0 ? " " + Comment : "")}";

    public bool Equals(SshPublicKey? other) => other is not null && Type == other.Type && Blob.SequenceEqual(other.Blob);

    public override int GetHashCode() => HashCode.Combine(Type, Blob.Count);

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>Reads the SSH wire format's length-prefixed strings.</summary>
    private sealed class BlobReader(byte[] data)
    {
        private int _at;
        public bool AtEnd => _at == data.Length;

        public byte[]? String()
        {
            if (data.Length - _at < 4) return null;
            var length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_at));
            if (length > (uint)(data.Length - _at - 4)) return null;
            var s = data.AsSpan(_at + 4, (int)length).ToArray();
            _at += 4 + (int)length;
            return s;
        }
    }
}
