using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Domain.Tests.Vms;

/// <summary>The Suspended state and restart-elsewhere in the VM state machine.</summary>
public class VmSuspendTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Vm RunningVm()
    {
        var vm = Vm.Create(VmName.Parse("web1"), UserId.New(), Geometry.Create(2, ByteSize.FromGiB(4), ByteSize.FromGiB(20), ImageName.Parse("debian-12")), T0);
        vm.Place(HostId.New(), T0);
        vm.CompleteOperation(T0);
        return vm;
    }

    [Fact]
    public void Suspend_FromRunning_ThenResume_KeepsTheHost()
    {
        var vm = RunningVm();
        var host = vm.HostId;
        vm.Suspend(T0.AddMinutes(1), "suspended by policy student-hours").Should().BeTrue();
        vm.State.Should().Be(VmState.Suspended);
        vm.StatusReason.Should().Contain("student-hours");
        vm.Suspend(T0.AddMinutes(2)).Should().BeFalse();
        vm.Resume(T0.AddMinutes(3)).Should().BeTrue();
        vm.State.Should().Be(VmState.Running);
        vm.HostId.Should().Be(host);
        vm.Resume(T0.AddMinutes(4)).Should().BeFalse();
    }

    [Fact]
    public void Suspended_CanBeStoppedOrDeleted_ButNotStartedOrSuspendedFromOtherStates()
    {
        var vm = RunningVm();
        vm.Suspend(T0);
        FluentActions.Invoking(() => vm.RequestStart(T0)).Should().Throw<DomainException>().WithMessage("*resume*");
        vm.RequestStop(T0).Should().BeTrue();
        vm.State.Should().Be(VmState.Stopping);
        FluentActions.Invoking(() => vm.Suspend(T0)).Should().Throw<DomainException>().WithMessage("*Allowed when Running*");
        FluentActions.Invoking(() => vm.Resume(T0)).Should().Throw<DomainException>();

        var other = RunningVm();
        other.Suspend(T0);
        other.RequestDelete(T0).Should().BeTrue();
        other.State.Should().Be(VmState.Deleting);
    }

    [Fact]
    public void RestartElsewhere_GivesUpTheHostAndWaitsForPlacement()
    {
        var vm = RunningVm();
        vm.Fail("host died", T0);
        vm.RestartElsewhere("restarting on another host", T0.AddSeconds(1));
        vm.State.Should().Be(VmState.Pending);
        vm.HostId.Should().BeNull();
        vm.Spec.Should().Be(VmPowerSpec.Running);
        FluentActions.Invoking(() => vm.RestartElsewhere("again", T0)).Should().Throw<DomainException>();
    }
}
