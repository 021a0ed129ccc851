using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Octopus.Domain.Users;

namespace Octopus.Domain.Tests.Users;

public class SshPublicKeyTests
{
    /// <summary>The SSH wire format: each field a big-endian uint32 length and its bytes.</summary>
    internal static string Blob(params byte[][] fields)
    {
        var bytes = new List<byte>();
        foreach (var f in fields)
        {
            var len = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(len, (uint)f.Length);
            bytes.AddRange(len);
            bytes.AddRange(f);
        }
        return Convert.ToBase64String([.. bytes]);
    }

    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    internal static string Ed25519(string comment = "you@laptop") => $"ssh-ed25519 {Blob(A("ssh-ed25519"), RandomNumberGenerator.GetBytes(32))} {comment}".Trim();

    [Fact]
    public void Parse_Ed25519_KeepsTypeAndComment_AndFingerprintIsSha256OfTheBlob()
    {
        var blob = Blob(A("ssh-ed25519"), new byte[32]);
        var key = SshPublicKey.Parse($"  ssh-ed25519 {blob} you@laptop  ");
        (key.Type, key.Comment).Should().Be(("ssh-ed25519", "you@laptop"));
        key.Fingerprint.Should().Be("SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(blob))).TrimEnd('='));
        key.ToString().Should().Be($"ssh-ed25519 {blob} you@laptop");
    }

    [Fact]
    public void Parse_RsaAndEcdsa_FromRealKeyMaterial()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        byte[] Mpint(byte[] v) => v[0] >= 0x80 ? [0, .. v] : v;
        SshPublicKey.Parse($"ssh-rsa {Blob(A("ssh-rsa"), Mpint(p.Exponent!), Mpint(p.Modulus!))}").Type.Should().Be("ssh-rsa");

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ec.ExportParameters(false).Q;
        SshPublicKey.Parse($"ecdsa-sha2-nistp256 {Blob(A("ecdsa-sha2-nistp256"), A("nistp256"), [4, .. q.X!, .. q.Y!])} ops").Comment.Should().Be("ops");
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ssh-dss AAAAB3NzaC1kc3M=", "not a key type Octopus accepts")]
    [InlineData("ssh-ed25519", "no key data")]
    [InlineData("ssh-ed25519 not*base64", "not valid base64")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "PEM file")]
    public void Parse_Bad_IsRefusedNamingTheField(string text, string message) =>
        FluentActions.Invoking(() => SshPublicKey.Parse(text)).Should().Throw<DomainException>()
            .Where(e => e.Field == "publicKey" && e.Message.Contains(message));

    [Fact]
    public void Parse_BlobOfAnotherType_OrWrongLength_IsRefused()
    {
        FluentActions.Invoking(() => SshPublicKey.Parse($"ssh-rsa {Blob(A("ssh-ed25519"), new byte[32])}")).Should().Throw<DomainException>()
            .WithMessage("*says it is 'ssh-ed25519', not ssh-rsa*");
        FluentActions.Invoking(() => SshPublicKey.Parse($"ssh-ed25519 {Blob(A("ssh-ed25519"), new byte[31])}")).Should().Throw<DomainException>()
            .WithMessage("*not a well-formed ssh-ed25519 key*");
    }

    [Fact]
    public void SshKey_Add_RefusesSameNameOrSameKey()
    {
        var user = new UserId(Guid.NewGuid());
        var key = SshPublicKey.Parse(Ed25519());
        var first = SshKey.Add(user, "laptop", key, [], DateTimeOffset.UnixEpoch);
        FluentActions.Invoking(() => SshKey.Add(user, "laptop", SshPublicKey.Parse(Ed25519()), [first], DateTimeOffset.UnixEpoch))
            .Should().Throw<DomainException>().Which.Code.Should().Be("key.duplicate-name");
        FluentActions.Invoking(() => SshKey.Add(user, "desk", key, [first], DateTimeOffset.UnixEpoch))
            .Should().Throw<DomainException>().WithMessage("*already in your profile as 'laptop'*");
        FluentActions.Invoking(() => SshKey.Add(user, "My Key", key, [], DateTimeOffset.UnixEpoch))
            .Should().Throw<DomainException>().Which.Field.Should().Be("name");
    }
}
