using DockerHostTools.Core.Diagnosis;

namespace DockerHostTools.Core.Repair;

/// <summary>What became of one finding in Repair-DockerHost.</summary>
public enum RepairStatus
{
    /// <summary>Its steps ran and the check afterwards no longer finds it.</summary>
    Fixed,

    /// <summary>It was gone before anything ran (the fresh check before the repair did not find it).</summary>
    AlreadyFine,

    /// <summary>It had no steps of its own and is gone after the other findings' steps (an engine restart, say).</summary>
    GoneAfterOtherSteps,

    /// <summary>Steps ran (or were left out) and the check afterwards still finds it.</summary>
    NotFixed,

    /// <summary>Nothing automatic can fix it and it is still there: its Remedy says what a person runs.</summary>
    ByHand,
}

/// <summary>What Repair-DockerHost did about one finding, and whether the check afterwards shows it gone.</summary>
public sealed class DockerHostRepairResult
{
    /// <summary>Creates the record.</summary>
    public DockerHostRepairResult(Finding finding, IReadOnlyList<RepairStepResult> steps, bool verified, Finding? remaining, bool goneBefore = false)
    {
        ArgumentNullException.ThrowIfNull(finding);
        Id = finding.Id;
        Target = finding.Target;
        Subject = finding.Subject;
        Severity = finding.Severity;
        Message = finding.Message;
        Steps = new TextList<RepairStepResult>(steps ?? []);
        Verified = verified;
        Remaining = remaining?.Message;
        Status = goneBefore ? RepairStatus.AlreadyFine
            : verified ? (Steps.Count > 0 ? RepairStatus.Fixed : RepairStatus.GoneAfterOtherSteps)
            : finding.CanRepair ? RepairStatus.NotFixed : RepairStatus.ByHand;
        Remedy = Status == RepairStatus.ByHand ? finding.Remedy : new RemedyList([]);
    }

    /// <summary>What became of the finding, in one word (the view shows it; one finding never gets two).</summary>
    public RepairStatus Status { get; }

    /// <summary>When <see cref="Status"/> is ByHand: the finding's remedies (alternatives, one per shell); otherwise empty.</summary>
    public IReadOnlyList<Remedy> Remedy { get; }

    /// <summary>The finding id.</summary>
    public string Id { get; }

    /// <summary>The finding's target.</summary>
    public string Target { get; }

    /// <summary>What it is about, typed.</summary>
    public FindingSubject Subject { get; }

    /// <summary>Its severity before the repair.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>What it said.</summary>
    public string Message { get; }

    /// <summary>The steps taken for it (a step shared by several findings appears under each).</summary>
    public IReadOnlyList<RepairStepResult> Steps { get; }

    /// <summary>True when the check after the repair no longer finds it.</summary>
    public bool Verified { get; }

    /// <summary>What the check after the repair still says, when it is not fixed.</summary>
    public string? Remaining { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Target}: {(Verified ? "fixed" : "not fixed")}";
}
