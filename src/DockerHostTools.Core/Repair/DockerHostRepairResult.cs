using DockerHostTools.Core.Diagnosis;

namespace DockerHostTools.Core.Repair;

/// <summary>What Repair-DockerHost did about one finding, and whether the check afterwards shows it gone.</summary>
public sealed class DockerHostRepairResult
{
    /// <summary>Creates the record.</summary>
    public DockerHostRepairResult(Finding finding, IReadOnlyList<RepairStepResult> steps, bool verified, Finding? remaining)
    {
        Id = finding?.Id ?? throw new ArgumentNullException(nameof(finding));
        Target = finding.Target;
        Subject = finding.Subject;
        Severity = finding.Severity;
        Message = finding.Message;
        Steps = steps;
        Verified = verified;
        Remaining = remaining?.Message;
    }

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
