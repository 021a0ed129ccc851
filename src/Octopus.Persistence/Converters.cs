using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Octopus.Domain.Hosts;
using Octopus.Domain.Networks;
using Octopus.Domain.Operations;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Persistence;

/// <summary>Value converters between domain value types and store columns.</summary>
internal static class Converters
{
    public static readonly ValueConverter<VmId, Guid> VmId = new(v => v.Value, v => new VmId(v));
    public static readonly ValueConverter<HostId, Guid> HostId = new(v => v.Value, v => new HostId(v));
    public static readonly ValueConverter<UserId, Guid> UserId = new(v => v.Value, v => new UserId(v));
    public static readonly ValueConverter<OperationId, Guid> OperationId = new(v => v.Value, v => new OperationId(v));
    public static readonly ValueConverter<NetworkId, Guid> NetworkId = new(v => v.Value, v => new NetworkId(v));
    public static readonly ValueConverter<Ipv4Address, string> Ipv4Address = new(v => v.ToString(), v => Domain.Networks.Ipv4Address.Parse(v, "address"));
    public static readonly ValueConverter<ByteSize, long> ByteSize = new(v => v.Bytes, v => new ByteSize(v));
    public static readonly ValueConverter<Mips, double> Mips = new(v => v.Value, v => new Mips(v));
    public static readonly ValueConverter<Watts, double> Watts = new(v => v.Value, v => new Watts(v));
    public static readonly ValueConverter<CpuLoad, double> CpuLoad = new(v => v.Fraction, v => new CpuLoad(v));
    public static readonly ValueConverter<VmName, string> VmName = new(v => v.Value, v => Domain.Vms.VmName.Parse(v, "name"));
    public static readonly ValueConverter<ImageName, string> ImageName = new(v => v.Value, v => Domain.Vms.ImageName.Parse(v, "image"));
    public static readonly ValueConverter<UserName, string> UserName = new(v => v.Value, v => Domain.Users.UserName.Parse(v, "username"));

    public static readonly ValueConverter<PowerModel, string> PowerModel = new(
        v => JsonSerializer.Serialize(v.WattsAtTenths, (JsonSerializerOptions?)null),
        v => new PowerModel(JsonSerializer.Deserialize<double[]>(v, (JsonSerializerOptions?)null) ?? Array.Empty<double>()));

    public static readonly ValueConverter<Quota, string> Quota = new(
        v => JsonSerializer.Serialize(new QuotaColumns(v.MaxCores, v.MaxMemory.HasValue ? v.MaxMemory.Value.Bytes : null, v.MaxDisk.HasValue ? v.MaxDisk.Value.Bytes : null, v.MaxVms), (JsonSerializerOptions?)null),
        v => FromColumns(JsonSerializer.Deserialize<QuotaColumns>(v, (JsonSerializerOptions?)null)));

    private static Quota FromColumns(QuotaColumns? c) => c is null
        ? Domain.Users.Quota.Unlimited
        : new Quota(c.MaxCores, c.MaxMemoryBytes is { } m ? new ByteSize(m) : null, c.MaxDiskBytes is { } d ? new ByteSize(d) : null, c.MaxVms);

    private sealed record QuotaColumns(int? MaxCores, long? MaxMemoryBytes, long? MaxDiskBytes, int? MaxVms);
}
