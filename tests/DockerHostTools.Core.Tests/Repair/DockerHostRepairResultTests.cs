using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;
using Xunit;

namespace DockerHostTools.Core.Tests.Repair;

/// <summary>One finding gets one status: "cannot be repaired automatically" (ByHand) and Verified never meet.</summary>
public sealed class DockerHostRepairResultTests
{
    private static Finding Make(RepairIntent intent) => new(FindingIds.IpForwardResetRisk, FindingSeverity.Warning,
        FindingSubject.ForForwarding(IpFamily.IPv4), "m", ["e"], [Remedy.PowerShell("Repair-IpForward -Confirm:$false")], intent);

    [Fact]
    public void A_finding_nothing_automatic_fixes_and_still_there_is_ByHand_with_its_remedy_and_not_verified()
    {
        var f = Make(RepairIntent.Nothing);
        var r = new DockerHostRepairResult(f, [], verified: false, remaining: f);
        Assert.Equal(RepairStatus.ByHand, r.Status);
        Assert.False(r.Verified);
        Assert.Equal(f.Remedy, r.Remedy);
    }

    [Fact]
    public void Gone_before_the_repair_is_AlreadyFine_gone_after_other_steps_is_not_called_fixed()
    {
        var f = Make(RepairIntent.Nothing);
        Assert.Equal(RepairStatus.AlreadyFine, new DockerHostRepairResult(f, [], verified: true, remaining: null, goneBefore: true).Status);
        var after = new DockerHostRepairResult(f, [], verified: true, remaining: null);
        Assert.Equal(RepairStatus.GoneAfterOtherSteps, after.Status);
        Assert.Empty(after.Remedy);
    }

    [Fact]
    public void A_repairable_finding_still_there_is_NotFixed()
    {
        var f = Make(RepairIntent.PersistForwarding(IpFamily.IPv4));
        Assert.Equal(RepairStatus.NotFixed, new DockerHostRepairResult(f, [], verified: false, remaining: f).Status);
    }
}
