using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary><c>GET /api/v1/vms</c> as the web lists use it: search, sort, filters and keyset pages, all answered by the
/// store, with a total that matches whatever page is read.</summary>
public class VmListTests
{
    /// <summary>The store the tests run on: null for the default (SQLite, or <c>OCTOPUS_TEST_STORE</c>);
    /// <see cref="VmListTestsOnPostgres"/> runs them all on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public VmListTests() : this(null) { }

    protected VmListTests(TestStoreKind? store)
    {
        Store = store;
    }

    private static async Task<Page<VmDto>> ListAsync(HttpClient http, string query) =>
        await (await http.GetAsync(ApiRoutes.Vms + "?" + query)).ReadAsync<Page<VmDto>>();

    private static async Task<List<VmDto>> AllPagesAsync(HttpClient http, string query, int limit)
    {
        var all = new List<VmDto>();
        string? cursor = null;
        do
        {
            var page = await ListAsync(http, $"{query}&limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            page.Items.Count.Should().BeLessThanOrEqualTo(limit);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task List_SortedPages_CoverEveryMatchOnce_InOrder_WithTheTotal()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        // Names chosen so that name order, creation order and owner order all differ.
        string[] names = ["m-07", "m-02", "m-11", "m-05", "m-01", "m-09", "m-03"];
        for (var i = 0; i < names.Length; i++)
        {
            var who = i % 2 == 0 ? admin : alice;
            var tags = i % 3 == 0 ? new[] { "web" } : new[] { "db_main" };
            (await who.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(names[i], cores: 1, memoryGiB: 0.5, diskGiB: 1) with { Tags = tags })).EnsureSuccessStatusCode();
        }

        var byName = await AllPagesAsync(admin, "sort=name", limit: 2);
        byName.Select(v => v.Name).Should().Equal(names.Order(StringComparer.Ordinal));
        var byNameDown = await AllPagesAsync(admin, "sort=-name", limit: 3);
        byNameDown.Select(v => v.Name).Should().Equal(names.OrderDescending(StringComparer.Ordinal));
        var byCreated = await AllPagesAsync(admin, "", limit: 2);
        byCreated.Select(v => v.Name).Should().Equal(names);
        var byOwner = await AllPagesAsync(admin, "sort=owner", limit: 2);
        byOwner.Select(v => v.Owner).Should().BeInAscendingOrder(StringComparer.Ordinal);
        byOwner.Should().HaveCount(7);

        var first = await ListAsync(admin, "sort=name&limit=3");
        first.Total.Should().Be(7);
        var second = await ListAsync(admin, "sort=name&limit=3&cursor=" + Uri.EscapeDataString(first.NextCursor!));
        second.Total.Should().Be(7, "the total is of the whole query, not of what was read so far");
        second.Items.Select(v => v.Name).Should().Equal("m-05", "m-07", "m-09");
    }

    [Fact]
    public async Task List_Searches_NameTagOwnerHost_IgnoringCase_AndFiltersTagsExactly()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web-front", cores: 1, memoryGiB: 0.5, diskGiB: 1) with { Tags = ["prod"] })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db", cores: 1, memoryGiB: 0.5, diskGiB: 1) with { Tags = ["db_x"] })).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("scratch", cores: 1, memoryGiB: 0.5, diskGiB: 1) with { Tags = ["dbax"] })).EnsureSuccessStatusCode();
        var placed = await admin.WaitForStateAsync("db", "Running");

        (await ListAsync(admin, "q=WEB")).Items.Select(v => v.Name).Should().Equal("web-front");
        (await ListAsync(admin, "q=prod")).Items.Select(v => v.Name).Should().Equal("web-front");
        (await ListAsync(admin, "q=ALIC")).Items.Select(v => v.Name).Should().Equal("scratch");
        (await ListAsync(admin, "q=" + Uri.EscapeDataString(placed.Host!.ToUpperInvariant()))).Items.Select(v => v.Name).Should().Contain("db");
        // '_' is a LIKE wildcard; the tag filter must not treat it as one.
        (await ListAsync(admin, "tag=db_x")).Items.Select(v => v.Name).Should().Equal("db");
        (await ListAsync(admin, "tag=db")).Items.Should().BeEmpty();
        var none = await ListAsync(admin, "q=nothing-is-called-this");
        none.Items.Should().BeEmpty();
        none.Total.Should().Be(0);
        // A user's search never reaches another user's VMs.
        (await ListAsync(alice, "q=web")).Items.Should().BeEmpty();
        (await ListAsync(alice, "owner=admin")).Total.Should().Be(0);
    }

    [Fact]
    public async Task List_AVmCreatedBetweenPages_DoesNotShiftTheNextPage()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();
        foreach (var n in new[] { "b", "d", "f", "h" })
            (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 0.5, diskGiB: 1))).EnsureSuccessStatusCode();
        var first = await ListAsync(admin, "sort=name&limit=2");
        first.Items.Select(v => v.Name).Should().Equal("b", "d");
        // An offset cursor would now repeat "d"; a keyset one continues after it.
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a", cores: 1, memoryGiB: 0.5, diskGiB: 1))).EnsureSuccessStatusCode();
        var second = await ListAsync(admin, "sort=name&limit=2&cursor=" + Uri.EscapeDataString(first.NextCursor!));
        second.Items.Select(v => v.Name).Should().Equal("f", "h");
        second.Total.Should().Be(5);
    }

    [Theory]
    [InlineData("sort=size", "sort")]
    [InlineData("sort=name&cursor=bm9wZQ", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("state=Sleepy", "state")]
    public async Task List_BadQuery_Is400_NamingTheParameter(string query, string field)
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();
        var r = await admin.GetAsync(ApiRoutes.Vms + "?" + query);
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("field").GetString().Should().Be(field);
    }

    [Fact]
    public async Task List_CursorOfAnotherOrder_IsRefusedWithWhatToDo()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var admin = await server.LoginAsync();
        foreach (var n in new[] { "x1", "x2" })
            (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 0.5, diskGiB: 1))).EnsureSuccessStatusCode();
        var first = await ListAsync(admin, "sort=name&limit=1");
        var r = await admin.GetAsync(ApiRoutes.Vms + "?sort=-state&limit=1&cursor=" + Uri.EscapeDataString(first.NextCursor!));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("start again without it");
    }
}

/// <summary>The VM list's SQL (search, sort, keyset cursor, total) on PostgreSQL.</summary>
public sealed class VmListTestsOnPostgres() : VmListTests(TestStoreKind.Postgres);
