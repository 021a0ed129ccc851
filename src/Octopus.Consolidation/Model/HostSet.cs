namespace Octopus.Consolidation.Model;

/// <summary>A set of host indices with O(1) membership, used for exclusion lists in the hot loop.</summary>
public sealed class HostSet
{
    private readonly bool[] _member;
    private readonly List<int> _items = [];

    public HostSet(int hostCount) => _member = new bool[hostCount];

    public int Count => _items.Count;

    /// <summary>The members in the order they were added.</summary>
    internal IReadOnlyList<int> Items => _items;

    /// <summary>Changes on every <see cref="Clear"/>: between two equal values the set only grew, by <see cref="Items"/>
    /// past the count seen before.</summary>
    internal int Generation { get; private set; }

    public bool Contains(int host) => _member[host];

    public void Add(int host)
    {
        if (_member[host]) return;
        _member[host] = true;
        _items.Add(host);
    }

    public void Clear()
    {
        Generation++;
        foreach (var h in _items) _member[h] = false;
        _items.Clear();
    }
}
