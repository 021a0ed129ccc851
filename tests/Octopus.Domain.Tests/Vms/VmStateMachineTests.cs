using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Domain.Tests.Vms;

public class VmStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Vm NewVm() => Vm.Create(VmName.Parse("web1"), UserId.New(),
        Geometry.Create(2, ByteSize.FromGiB(4), ByteSize.FromGiB(20), ImageName.Parse("debian-12")), T0);

    private static Vm RunningVm()
    {
        var vm = NewVm();
        vm.Place(HostId.New(), T0);
        vm.CompleteOperation(T0);
        return vm;
    }

    [Fact]
    public void Create_IsPendingAndWantsToRun()
    {
        var vm = NewVm();
        vm.State.Should().Be(VmState.Pending);
        vm.Spec.Should().Be(VmPowerSpec.Running);
        vm.HostId.Should().BeNull();
    }

    [Fact]
    public void PlaceThenComplete_Runs()
    {
        var vm = RunningVm();
        vm.State.Should().Be(VmState.Running);
        vm.StartedAt.Should().Be(T0);
    }

    [Fact]
    public void StopStart_GoThroughTransitionalStates()
    {
        var vm = RunningVm();
        vm.RequestStop(T0).Should().BeTrue();
        vm.State.Should().Be(VmState.Stopping);
        vm.CompleteOperation(T0);
        vm.State.Should().Be(VmState.Stopped);
        vm.RequestStart(T0).Should().BeTrue();
        vm.State.Should().Be(VmState.Starting);
        vm.CompleteOperation(T0);
        vm.State.Should().Be(VmState.Running);
    }

    [Fact]
    public void Stop_WhenStopped_IsANoOp()
    {
        var vm = RunningVm();
        vm.RequestStop(T0);
        vm.CompleteOperation(T0);
        vm.RequestStop(T0).Should().BeFalse();
        vm.State.Should().Be(VmState.Stopped);
    }

    [Fact]
    public void Reboot_WhenStopped_IsRejectedWithReason()
    {
        var vm = RunningVm();
        vm.RequestStop(T0);
        vm.CompleteOperation(T0);
        var act = () => vm.RequestReboot(T0);
        act.Should().Throw<DomainException>()
            .Where(e => e.Kind == ErrorKind.Conflict)
            .WithMessage("Cannot reboot VM 'web1': it is Stopped. Allowed when Running.");
    }

    [Fact]
    public void Stop_WhilePending_IsRejected()
    {
        var act = () => NewVm().RequestStop(T0);
        act.Should().Throw<DomainException>().WithMessage("*it is Pending*");
    }

    [Fact]
    public void StopDuringCreate_EndsStopped()
    {
        var vm = NewVm();
        vm.Place(HostId.New(), T0);
        // Stop is illegal while Creating; but a start spec flip to Stopped could come from a later request.
        vm.CompleteOperation(T0);
        vm.RequestStop(T0);
        vm.CompleteOperation(T0);
        vm.State.Should().Be(VmState.Stopped);
    }

    [Fact]
    public void Delete_FromAnyStableState_GoesDeleting()
    {
        var vm = RunningVm();
        vm.RequestDelete(T0).Should().BeTrue();
        vm.State.Should().Be(VmState.Deleting);
        vm.RequestDelete(T0).Should().BeFalse();
        vm.CompleteOperation(T0);
        vm.HostId.Should().BeNull();
    }

    [Fact]
    public void Migration_MovesHostOnlyOnCompletion()
    {
        var vm = RunningVm();
        var from = vm.HostId;
        var to = HostId.New();
        vm.BeginMigration(to, "h2", T0);
        vm.StatusReason.Should().Be("migrating to h2");
        vm.HostId.Should().Be(from);
        vm.CompleteMigration(to, T0);
        vm.HostId.Should().Be(to);
        vm.State.Should().Be(VmState.Running);
    }

    [Fact]
    public void Fail_KeepsHostSoStartCanRecover()
    {
        var vm = RunningVm();
        vm.RequestReboot(T0);
        vm.Fail("driver error", T0);
        vm.State.Should().Be(VmState.Failed);
        vm.StatusReason.Should().Be("driver error");
        vm.RequestStart(T0).Should().BeTrue();
        vm.State.Should().Be(VmState.Starting);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5000)]
    public void Geometry_AbsurdCores_NamesTheField(int cores)
    {
        var act = () => Geometry.Create(cores, ByteSize.FromGiB(1), ByteSize.FromGiB(1), ImageName.Parse("x"));
        act.Should().Throw<DomainException>().Where(e => e.Field == "cores");
    }

    [Theory]
    [InlineData("Web1")]
    [InlineData("1web")]
    [InlineData("web-")]
    [InlineData("")]
    [InlineData("a;rm -rf")]
    public void VmName_Invalid_IsRejected(string name) =>
        FluentActions.Invoking(() => VmName.Parse(name)).Should().Throw<DomainException>().Where(e => e.Field == "name");
}
