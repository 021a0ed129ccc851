using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Model;

public sealed class HostLoadIndexTests
{
    [Fact]
    public void BucketOf_ClampsAndScalesByBucketCount()
    {
        // 1024 buckets: key 0.5 → 512; 0.99999 → 1023; keys ≤ 0 → 0; keys ≥ 1 (overloaded hosts) share the last.
        HostLoadIndex.BucketOf(0.5).Should().Be(512);
        HostLoadIndex.BucketOf(0.99999).Should().Be(1023);
        HostLoadIndex.BucketOf(-1e-12).Should().Be(0);
        HostLoadIndex.BucketOf(1.7).Should().Be(1023);
        HostLoadIndex.UpperKey(1023).Should().Be(double.PositiveInfinity);
        HostLoadIndex.LowerKey(512).Should().Be(0.5);
    }

    [Fact]
    public void HighestBucket_SkipsEmptyAndTooSmallBuckets()
    {
        // Three hosts of type 0: loads 0.2 (2000 MB free), 0.6 (100 MB free), 0.9 (3000 MB free).
        var index = new HostLoadIndex([0, 0, 0, 1], 2);
        index.Set(0, 0.2, 2000, 0);
        index.Set(1, 0.6, 100, 0);
        index.Set(2, 0.9, 3000, 0);
        index.HighestBucket(0, HostLoadIndex.BucketOf(1), 0).Should().Be(HostLoadIndex.BucketOf(0.9));
        index.HighestBucket(0, HostLoadIndex.BucketOf(0.8), 0).Should().Be(HostLoadIndex.BucketOf(0.6));
        // 500 MB needed: host 1 cannot take it, so the search falls through to host 0's bucket.
        index.HighestBucket(0, HostLoadIndex.BucketOf(0.8), 500).Should().Be(HostLoadIndex.BucketOf(0.2));
        index.HighestBucket(1, HostLoadIndex.BucketOf(1), 0).Should().Be(-1);
    }

    [Fact]
    public void SetAndRemove_MoveHostsBetweenBuckets()
    {
        var index = new HostLoadIndex([0, 0, 0], 1);
        index.Set(0, 0.5, 1000, 0);
        index.Set(1, 0.5, 1000, 0);
        index.Set(2, 0.5, 1000, 0);
        index.Members(0, 512).Should().BeEquivalentTo([0, 1, 2]);
        index.Set(1, 0.75, 1000, 0);
        index.Remove(0);
        index.Remove(0);
        index.Members(0, 512).Should().BeEquivalentTo([2]);
        index.Members(0, 768).Should().BeEquivalentTo([1]);
        index.Contains(0).Should().BeFalse();
        index.NodeCount(0, 1).Should().Be(2);
        index.Remove(2);
        index.HighestBucket(0, HostLoadIndex.BucketOf(0.7), 0).Should().Be(-1);
    }

    [Fact]
    public void Entries_CarryTheLastSetNumbers_InMemberOrder()
    {
        // Hosts 0, 1, 2 in bucket 512; host 0 leaves (host 2 takes its place), host 1 is set again in the same bucket.
        var index = new HostLoadIndex([0, 0, 0], 1);
        index.Set(0, 0.5, 1000, 10, 1860, 1800, 5);
        index.Set(1, 0.5, 2000, 20, 1870, 1850, 6);
        index.Set(2, 0.5, 3000, 30, 1880, 1860, 7);
        index.Remove(0);
        index.Set(1, 0.5005, 500, 5, 1900, 1890, 8);
        var entries = index.Entries(0, 512).ToArray();
        entries.Select(e => e.Host).Should().Equal(index.Members(0, 512));
        entries.Should().BeEquivalentTo(new HostLoadIndex.Entry[]
        {
            new(2, 3000, 30, 1880, 1860, 7),
            new(1, 500, 5, 1900, 1890, 8),
        });
        index.Entries(0, 600).Length.Should().Be(0);
    }
}
