using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Octopus.Persistence.Providers;

/// <summary>Carries the <see cref="IStoreProvider"/> in the context options, beside the EF provider it belongs to.</summary>
public sealed class StoreProviderExtension(IStoreProvider provider) : IDbContextOptionsExtension
{
    public IStoreProvider Provider { get; } = provider;

    public DbContextOptionsExtensionInfo Info => new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services) { }

    public void Validate(IDbContextOptions options) { }

    private sealed class ExtensionInfo(StoreProviderExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private StoreProviderExtension Self => (StoreProviderExtension)Extension;
        public override bool IsDatabaseProvider => false;
        public override string LogFragment => $"StoreProvider={Self.Provider.Name} ";
        // The model depends on the provider (ShapeModel), so each provider gets its own internal service provider and model cache.
        public override int GetServiceProviderHashCode() => Self.Provider.Name.GetHashCode(StringComparison.Ordinal);
        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
            other is ExtensionInfo o && o.Self.Provider.Name == Self.Provider.Name;
        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
            debugInfo["Octopus:StoreProvider"] = Self.Provider.Name;
    }
}

/// <summary>Attaches a provider to options (called by each provider project's <c>Configure</c>), with the leader fence's
/// command interceptor.</summary>
public static class StoreProviderOptions
{
    public static DbContextOptionsBuilder<OctopusDbContext> UseStoreProvider(this DbContextOptionsBuilder<OctopusDbContext> builder, IStoreProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(new StoreProviderExtension(provider));
        // A leader's set-based writes are fenced by its term as its saves are (whatever the engine).
        return builder.AddInterceptors(Leadership.LeaderFenceInterceptor.Instance);
    }
}
