namespace Octopus.Persistence.Records;

/// <summary>One bucket of the cluster's power history (table <c>PowerHistory</c>): sums of the readings taken in
/// [<see cref="Start"/>, Start + bucket length) and the energy integrated over them, in joules. Buckets older than the
/// retention are pruned as new ones are written.</summary>
public sealed class PowerBucketRecord
{
    public DateTimeOffset Start { get; set; }
    public int Samples { get; set; }
    public double WattsSum { get; set; }
    public double AllOnSum { get; set; }
    public double ActiveSum { get; set; }
    public int ActiveMax { get; set; }
    public int Hosts { get; set; }
    public double Joules { get; set; }
    public double AllOnJoules { get; set; }
}
