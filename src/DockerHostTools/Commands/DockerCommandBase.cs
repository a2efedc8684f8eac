using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>What the Docker commands share: reading iptables and the engine's errors mapped to constant ids.</summary>
public abstract class DockerCommandBase : DockerHostCmdlet
{
    /// <summary>An ErrorRecord with a constant id for an engine that cannot be used.</summary>
    protected internal static ErrorRecord EngineError(DockerEngineUnavailableException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Failure switch
        {
            DockerEngineFailure.SocketNotFound => new ErrorRecord(exception, "DockerSocketNotFound", ErrorCategory.ObjectNotFound, exception.SocketPath),
            DockerEngineFailure.AccessDenied => new ErrorRecord(exception, "DockerSocketAccessDenied", ErrorCategory.PermissionDenied, exception.SocketPath),
            DockerEngineFailure.NotListening => new ErrorRecord(exception, "DockerNotRunning", ErrorCategory.ResourceUnavailable, exception.SocketPath),
            DockerEngineFailure.Timeout => new ErrorRecord(exception, "DockerEngineTimeout", ErrorCategory.OperationTimeout, exception.SocketPath),
            _ => new ErrorRecord(exception, "DockerEngineBadResponse", ErrorCategory.InvalidResult, exception.SocketPath),
        };
    }

    /// <summary>Reads every iptables variant; stops the command with a constant id when it cannot.</summary>
    protected IptablesSnapshot ReadIptables()
    {
        try
        {
            return Await(new IptablesReader(Runner).ReadAsync);
        }
        catch (NativeCommandFailedException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "IptablesReadFailed",
                IsRoot ? ErrorCategory.InvalidResult : ErrorCategory.PermissionDenied, ex.Result.Command.Program));
            throw;
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeTimeoutException or FormatException)
        {
            ThrowTerminatingError(ToErrorRecord(ex, ex is FormatException ? "IptablesOutputNotUnderstood" : "IptablesReadFailed", "iptables-save"));
            throw;
        }
    }

    /// <summary>Warns when Docker's rules sit in a variant other than the one <c>iptables</c> points to, or in two at once.</summary>
    protected void WarnAboutVariants(IptablesSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.DockerNftablesTables.Count > 0)
        {
            WriteWarning($"Docker uses its nftables backend (table {string.Join(", ", snapshot.DockerNftablesTables)}): its rules are not iptables chains, " +
                "so missing chains and DNAT rules here say nothing about it. See 'nft list table ip docker-bridges'.");
        }

        var holders = snapshot.Saves.Where(s => IptablesSnapshot.HasDockerChains(s.Ruleset)).Select(s => s.Variant).ToList();
        if (holders.Count > 1)
        {
            WriteWarning($"Docker's chains exist in more than one iptables variant ({string.Join(", ", holders)}): a dockerd started under one " +
                "variant left rules in the other. Only the variant of the running dockerd matters; the other is stale.");
        }
        else if (holders.Count == 1 && snapshot.DefaultVariant != IptablesVariant.Unknown && holders[0] != IptablesVariant.Unknown && holders[0] != snapshot.DefaultVariant)
        {
            WriteWarning($"Docker's rules are in {holders[0]} iptables while 'iptables' points to {snapshot.DefaultVariant}: " +
                $"'iptables -t nat -S DOCKER' does not show them, and firewalld flushes the {snapshot.DefaultVariant} tables, not these.");
        }
    }
}
