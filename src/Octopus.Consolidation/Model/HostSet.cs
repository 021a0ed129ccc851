namespace Octopus.Consolidation.Model;

/// <summary>A set of host indices with O(1) membership, used for exclusion lists in the hot loop.</summary>
public sealed class HostSet
{
    private readonly bool[] _member;
    private readonly List<int> _items = [];

    public HostSet(int hostCount) => _member = new bool[hostCount];

    public int Count => _items.Count;

    public bool Contains(int host) => _member[host];

    public void Add(int host)
    {
        if (_member[host]) return;
        _member[host] = true;
        _items.Add(host);
    }

    public void Clear()
    {
        foreach (var h in _items) _member[h] = false;
        _items.Clear();
    }
}
