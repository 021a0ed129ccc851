using System.Globalization;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;

namespace Octopus.Domain.Operations;

/// <summary>The argument of a <see cref="OperationKind.ForkDisk"/> operation: whose disk the new VM forks, and the size
/// its disk grows to (null: the source's). Stored as <c>SOURCE-VM-ID</c> or <c>SOURCE-VM-ID;BYTES</c>.</summary>
public sealed record ForkPayload(VmId Source, ByteSize? Size)
{
    public string Format() => Size is { } s ? $"{Source};{s.Bytes.ToString(CultureInfo.InvariantCulture)}" : Source.ToString();

    public static ForkPayload Parse(string? text)
    {
        var parts = (text ?? "").Split(';');
        if (!VmId.TryParse(parts[0], out var source) || parts.Length > 2)
            throw new FormatException($"'{text}' is not a fork payload (SOURCE-VM-ID[;BYTES]).");
        ByteSize? size = parts.Length == 2 ? new ByteSize(long.Parse(parts[1], CultureInfo.InvariantCulture)) : null;
        return new ForkPayload(source, size);
    }
}
