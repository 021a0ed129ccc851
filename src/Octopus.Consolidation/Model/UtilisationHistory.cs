namespace Octopus.Consolidation.Model;

/// <summary>Each VM's recent CPU use (fractions of its MIPS), most recent first, at most <see cref="Capacity"/> values.
/// Like CloudSim's PowerVm, only non-zero samples are kept, so a mostly idle VM has a short history.</summary>
/// <remarks>Owned and appended by whoever observes the VMs (the simulator, the live collector); policies only read it.</remarks>
public sealed class UtilisationHistory
{
    /// <summary>CloudSim keeps 30 samples (PowerVm.HISTORY_LENGTH).</summary>
    public const int Capacity = 30;

    // Each VM owns 2 × Capacity slots used as a mirrored ring: a sample is written at its slot p and at p + Capacity,
    // so the most recent n samples are always the contiguous span [head, head + n) and a push moves nothing.
    private double[] _values;
    private int[] _counts;
    private int[] _heads;
    private readonly int[]? _map;
    private readonly UtilisationHistory? _root;

    public UtilisationHistory(int vmCount)
    {
        _values = new double[vmCount * 2 * Capacity];
        _counts = new int[vmCount];
        _heads = new int[vmCount];
    }

    private UtilisationHistory(UtilisationHistory root, int[] map)
    {
        _root = root;
        _map = map;
        _values = root._values;
        _counts = root._counts;
        _heads = root._heads;
    }

    public int VmCount => _map?.Length ?? _counts.Length;

    /// <summary>The VM's samples, most recent first.</summary>
    public ReadOnlySpan<double> Of(int vm)
    {
        var i = _map is null ? vm : _map[vm];
        return new(_values, (i * 2 * Capacity) + _heads[i], _counts[i]);
    }

    public int CountOf(int vm) => _counts[_map is null ? vm : _map[vm]];

    /// <summary>A read-only view whose VM i is this history's VM <c>map[i]</c> (a snapshot of a subset of VMs).</summary>
    public UtilisationHistory Select(int[] map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new UtilisationHistory(_root ?? this, map);
    }

    /// <summary>Records a sample; zero samples are skipped (CloudSim semantics).</summary>
    public void Push(int vm, double utilisation)
    {
        if (_map is not null) throw new InvalidOperationException("a selected view of a history is read-only.");
        if (utilisation == 0) return;
        var head = _heads[vm] == 0 ? Capacity - 1 : _heads[vm] - 1;
        var start = vm * 2 * Capacity;
        _values[start + head] = utilisation;
        _values[start + head + Capacity] = utilisation;
        _heads[vm] = head;
        if (_counts[vm] < Capacity) _counts[vm]++;
    }

    /// <summary>Grows to hold more VMs (new VMs start with an empty history).</summary>
    public void EnsureVmCount(int vmCount)
    {
        if (_map is not null) throw new InvalidOperationException("a selected view of a history cannot grow.");
        if (vmCount <= _counts.Length) return;
        Array.Resize(ref _values, vmCount * 2 * Capacity);
        Array.Resize(ref _counts, vmCount);
        Array.Resize(ref _heads, vmCount);
    }
}
