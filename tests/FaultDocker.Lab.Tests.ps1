# Fault injection on the real Docker host of the nspawn lab (Recipe 1, bookworm: systemd, firewalld, dockerd and the
# registry dkreg publishing 5000/tcp; the outside client in its own network namespace). Each fault is made real where it
# can be: dockerd hung with SIGSTOP of its own PID, dockerd killed with kill -9 while Repair-DockerChain waits for its
# rules, the system bus socket hidden in a mount namespace of the child pwsh only; a stand-in only for what cannot hang
# by itself: iptables-save (a program that never ends put in place of xtables-nft-multi, in the child's own mount
# namespace only). Each asserts a clear error or a correct partial result, nothing lost, and that the next run succeeds.
# Needs root; only documentation ranges and loopback; dockerd and firewalld run only inside the machine.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $script:lab = Start-NspawnLab -Generation bookworm
    function script:Invoke-Host { Invoke-DockerLabHost $lab @args }
    function script:Get-DockerdPid { [int]"$(Invoke-Host systemctl show -p MainPID --value docker.service)".Trim() }
    function script:Get-Errors([string] $Severity = 'Error') {
        $r = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output | Where-Object Severity -eq $Severity | ForEach-Object { "$($_.Id) $($_.Target)" })
    }
    function script:Reset-Healthy {
        $r = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 | Repair-DockerHost -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        Wait-DockerLabHttpCode $lab | Should -Be '200'
    }
    function script:Assert-ConstantIds($Errors) {
        @($Errors | Where-Object { $_.FullyQualifiedErrorId -notmatch '^[A-Za-z]+,DockerHostTools\.Commands\.' }) | Should -BeNullOrEmpty -Because 'every error has a constant id'
    }
    # A program that never ends, for the stand-in (the machine sees $lab.Dir at /dkx).
    $script:hang = Join-Path $lab.Dir 'fault-hang.sh'
    Set-Content -Path $hang -Value "#!/bin/sh`nexec sleep 600`n" -NoNewline
    & chmod 0755 $hang
}

AfterAll {
    # A stopped dockerd must never outlive a failed test: continue it (by PID, inside the machine), then power off.
    if ($script:stopped) { Invoke-NspawnExec $lab kill -CONT $script:stopped 2>$null | Out-Null }
    Remove-Item $hang -ErrorAction Ignore
    $lab | Stop-NspawnLab
}

Describe 'Fault: dockerd hung or killed on the nspawn Docker host' -Tag 'Lab', 'Fault' {
    BeforeAll { Reset-Healthy }

    It 'Fault_DockerdStopped: SIGSTOP dockerd -> Get-DockerHostNetState and Test-DockerHost end within the Engine API timeout with DockerServiceDown saying dockerd does not answer; Repair-DockerChain restarts it and says it could not list the containers first; the next run is healthy' {
        $dockerd = Get-DockerdPid
        $script:stopped = $dockerd
        Invoke-Host kill -STOP $dockerd | Out-Null
        try {
            $r = Invoke-DockerLabPwsh $lab {
                $s = [Diagnostics.Stopwatch]::StartNew(); $state = Get-DockerHostNetState -Port 5000; $t1 = $s.Elapsed.TotalSeconds
                $s.Restart(); $f = @(Test-DockerHost -Port 5000); $t2 = $s.Elapsed.TotalSeconds
                $facts = $state.GetFacts()
                [pscustomobject]@{ Problems = @($state.Problems); EngineError = $facts.Docker.EngineError; Firewalld = "$($facts.Firewalld.State)"
                    Forwarding = @($facts.IpForward | ForEach-Object { "$($_.Key)=$($_.RuntimeValue)" }); StateSeconds = $t1; TestSeconds = $t2
                    Findings = @($f | ForEach-Object { "$($_.Severity) $($_.Id) $($_.Target)" }); DownMessage = @($f | Where-Object Id -eq 'DockerServiceDown')[0].Message }
            }
            $o = $r.Output[0]
            Write-Host "hung dockerd: Get-DockerHostNetState $([int]$o.StateSeconds) s, Test-DockerHost $([int]$o.TestSeconds) s; $($o.Findings -join ', ')"
            Assert-ConstantIds $r.Errors
            $o.EngineError | Should -BeLike '*did not answer*dockerd may be hung*'
            $o.Problems | Should -Contain "Docker Engine API: $($o.EngineError)"
            $o.Findings | Should -Contain 'Error DockerServiceDown docker.service'
            $o.DownMessage | Should -BeLike 'dockerd does not answer although docker.service is active (hung?)*'
            $o.Firewalld | Should -Be 'Running' -Because 'the other facts are still read'
            $o.Forwarding | Should -Contain 'net.ipv4.ip_forward=1'

            # The repair while it hangs: systemd's stop sends SIGTERM and SIGCONT, so the restart itself works.
            $repair = Invoke-DockerLabPwsh $lab { Repair-DockerChain -Confirm:$false -TimeoutSec 60 }
            Write-Host "repair of a hung dockerd: errors: $(@($repair.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Message)" }) -join ' | '); warnings: $($repair.Warnings -join ' | ')"
            Assert-ConstantIds $repair.Errors
            $repair.Errors | Should -BeNullOrEmpty
            @($repair.Warnings | Where-Object { $_ -like '*dockerd may be hung.*The containers that ran before cannot be listed; the restart goes on.' }) | Should -HaveCount 1 -Because 'the repair says what it could not do first'
            @($repair.Output[0].Steps | ForEach-Object { "$($_.Kind) $($_.Outcome)" }) | Should -Be @('ResetFailed Done', 'RestartDocker Done')
            $repair.Output[0].ChainsRestored | Should -BeTrue
            $repair.Output[0].DnatRestored | Should -BeTrue
            Get-DockerdPid | Should -Not -Be $dockerd -Because 'dockerd was restarted'
            $script:stopped = $null
        }
        finally { if ($script:stopped) { Invoke-NspawnExec $lab kill -CONT $dockerd 2>$null | Out-Null } }
        Get-Errors | Should -BeNullOrEmpty -Because 'the next run succeeds'
        Wait-DockerLabHttpCode $lab | Should -Be '200'
    }

    It 'Fault_DockerdKilledMidRepair: kill -9 of the new dockerd as soon as Repair-DockerChain has started it -> DockerRestartFailed saying what was done and not done (killed while starting), or a whole result (killed after); nothing half-done: the next run repairs what is left and the host is healthy' {
        $before = Get-DockerdPid
        $module = (Get-Module DockerLab).Path
        $job = Start-ThreadJob {
            Import-Module $using:module
            Invoke-DockerLabPwsh $using:lab { Repair-DockerChain -Confirm:$false -TimeoutSec 60 } | ConvertTo-Json -Depth 8
        }
        try {
            # The new dockerd: docker.service's main PID changes when systemd forks it (Type=notify: the unit is still
            # activating until dockerd says it is ready, and systemctl restart waits for that).
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            do { Start-Sleep -Milliseconds 50; $now = Get-DockerdPid } while (($now -eq $before -or $now -eq 0) -and [DateTime]::UtcNow -lt $deadline)
            $now | Should -Not -Be $before -Because 'Repair-DockerChain restarted dockerd'
            $state = "$(Invoke-Host systemctl show -p ActiveState --value docker.service)".Trim()
            Invoke-Host kill -KILL $now | Out-Null
            $r = $job | Receive-Job -Wait -AutoRemoveJob | ConvertFrom-Json
        }
        finally { if ($job.State -eq 'Running') { $job | Stop-Job; $job | Remove-Job -Force } }
        $steps = @($r.Output[0].Steps | ForEach-Object { "$($_.Kind) $($_.Outcome)" })
        Write-Host "dockerd killed ($state): $($steps -join ', '); errors: $(@($r.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Message)" }) -join ' | ')"
        Assert-ConstantIds $r.Errors
        $r.Output | Should -HaveCount 1 -Because 'a result object says what was done either way'
        if ($steps -contains 'RestartDocker Failed') {
            # killed while systemd was starting it: the restart itself failed, and the wait was not attempted
            $steps | Should -Be @('ResetFailed Done', 'RestartDocker Failed')
            $r.Errors | Should -HaveCount 1
            $r.Errors[0].FullyQualifiedErrorId | Should -Be 'DockerRestartFailed,DockerHostTools.Commands.RepairDockerChainCommand'
            $r.Errors[0].Category | Should -Be 'InvalidResult'
            $r.Errors[0].Message | Should -BeLike "*'systemctl restart docker.service' failed*Done: Reset the failed state*Not attempted, as they depend on it: Wait up to 60 s for Docker's chains*"
            $r.Output[0].ChainsRestored | Should -BeFalse
        }
        else {
            # killed once the restart was done: the repair's own result is whole
            $steps | Should -Be @('ResetFailed Done', 'RestartDocker Done')
            $r.Errors | Should -BeNullOrEmpty
            $r.Output[0].ChainsRestored | Should -BeTrue
        }
        # systemd starts the killed dockerd again (Restart=always); the next run repairs whatever is left (a container
        # that did not come back) and the host is whole.
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ("$(Invoke-NspawnExec $lab systemctl is-active docker.service)".Trim() -ne 'active' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 500 }
        $next = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 | Repair-DockerHost -Confirm:$false }
        Write-Host "the next run: $(@($next.Output | ForEach-Object { "$($_.Id) $($_.Status)" }) -join ', ')"
        $next.Errors | Should -BeNullOrEmpty
        Wait-DockerLabHttpCode $lab -Seconds 30 | Should -Be '200'
        Get-Errors | Should -BeNullOrEmpty -Because 'nothing half-done: every chain and DNAT rule is back'
        Get-Errors -Severity Warning | Where-Object { $_ -like 'DockerChainMissing*' -or $_ -like 'DockerDnatMissing*' } | Should -BeNullOrEmpty
    }
}

Describe 'Fault: a hung iptables-save and an absent D-Bus, in the child''s own mount namespace' -Tag 'Lab', 'Fault' {
    BeforeAll { Reset-Healthy }

    It 'Fault_IptablesSaveHangs: iptables-nft-save never ends -> Get-DockerChain gives NativeCallTimedOut (OperationTimeout); Get-DockerHostNetState names the timeout and still reads firewalld, forwarding and the engine; the next run is whole' {
        # The stand-in is mounted over xtables-nft-multi (what iptables-nft-save runs) for the child pwsh only.
        $wrap = @('unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind /dkx/fault-hang.sh /usr/sbin/xtables-nft-multi && exec "$@"', 'sh')
        $r = Invoke-DockerLabPwsh $lab -Wrap $wrap {
            $s = [Diagnostics.Stopwatch]::StartNew()
            $chains = @(); $chainErrors = @()
            try { $chains = @(Get-DockerChain) } catch { $chainErrors = @($_) }
            $t1 = $s.Elapsed.TotalSeconds
            $state = Get-DockerHostNetState -Port 5000
            $facts = $state.GetFacts()
            [pscustomobject]@{
                ChainErrors = @($chainErrors | ForEach-Object { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = "$_" } })
                Chains = $chains.Count; ChainSeconds = $t1; Problems = @($state.Problems); Firewalld = "$($facts.Firewalld.State)"
                Engine = $facts.Docker.EngineReachable; Forwarding = @($facts.IpForward | ForEach-Object { "$($_.Key)=$($_.RuntimeValue)" }); Variants = @($facts.Iptables).Count
            }
        }
        $o = $r.Output[0]
        Write-Host "hung iptables-save: Get-DockerChain $([int]$o.ChainSeconds) s: $(@($o.ChainErrors | ForEach-Object { "$($_.Id) $($_.Message)" }) -join ' | '); problems: $($o.Problems -join ' | ')"
        Assert-ConstantIds $r.Errors
        $o.ChainErrors | Should -HaveCount 1
        $o.ChainErrors[0].Id | Should -Be 'NativeCallTimedOut,DockerHostTools.Commands.GetDockerChainCommand'
        $o.ChainErrors[0].Category | Should -Be 'OperationTimeout'
        $o.ChainErrors[0].Message | Should -BeLike '*iptables-nft-save*'
        $o.Chains | Should -Be 0
        @($o.Problems | Where-Object { $_ -like 'iptables: *iptables-nft-save*' }) | Should -HaveCount 1
        $o.Firewalld | Should -Be 'Running'
        $o.Engine | Should -BeTrue
        $o.Forwarding | Should -Contain 'net.ipv4.ip_forward=1'
        $o.Variants | Should -Be 0 -Because 'no rule set was read, and none is made up'
        # Without the stand-in, the next run reads the rules whole.
        $next = Invoke-DockerLabPwsh $lab { @(Get-DockerChain).Count }
        $next.Errors | Should -BeNullOrEmpty
        $next.Output[0] | Should -BeGreaterThan 0
        Get-Errors | Should -BeNullOrEmpty
    }

    It 'Defect3_Fault_IptablesSaveHangsDuringTheWait: Repair-DockerChain whose wait cannot read the rules -> NativeCallTimedOut (OperationTimeout), a result, and the error says Docker was restarted; the next run is healthy' {
        # Before: a raw NativeCommandFailedException/NativeTimeoutException (NotSpecified), no result, no word of the restart.
        $wrap = @('unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind /dkx/fault-hang.sh /usr/sbin/xtables-nft-multi && exec "$@"', 'sh')
        $before = Get-DockerdPid
        $r = Invoke-DockerLabPwsh $lab -Wrap $wrap { Repair-DockerChain -Confirm:$false -TimeoutSec 30 }
        Write-Host "wait without iptables-save: $(@($r.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId) [$($_.Category)]: $($_.Message)" }) -join ' | ')"
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'NativeCallTimedOut,DockerHostTools.Commands.RepairDockerChainCommand'
        $r.Errors[0].Category | Should -Be 'OperationTimeout'
        $r.Errors[0].ExceptionType | Should -Be 'DockerHostTools.Core.Native.NativeTimeoutException'
        $r.Errors[0].Message | Should -BeLike '*iptables-nft-save*Done: *Restart the Docker engine*Docker was restarted.'
        $r.Output | Should -HaveCount 1 -Because 'the result says what was done'
        @($r.Output[0].Steps | ForEach-Object { "$($_.Kind) $($_.Outcome)" }) | Should -Be @('ResetFailed Done', 'RestartDocker Done')
        $r.Output[0].ChainsRestored | Should -BeFalse -Because 'the wait saw no rule set, and claims none'
        Get-DockerdPid | Should -Not -Be $before
        Wait-DockerLabHttpCode $lab -Seconds 30 | Should -Be '200'
        Get-Errors | Should -BeNullOrEmpty -Because 'the next run, with a working iptables-save, sees every rule back'
    }

    It 'Fault_DbusAbsent: no system bus socket -> systemd''s units are read with systemctl instead, the same facts and the same verdict; firewalld (which answers only over D-Bus) is Unreachable with a clear message' {
        $read = {
            $state = Get-DockerHostNetState -Port 5000
            $facts = $state.GetFacts()
            [pscustomobject]@{
                Units = @($facts.Services | ForEach-Object { "$($_.Name) $($_.LoadState) $($_.ActiveState) $($_.SubState) $($_.ActiveEnterMonotonicUs)" })
                Firewalld = "$($facts.Firewalld.State)"; FirewalldMessage = $facts.Firewalld.Message
                Forwarding = @($facts.IpForward | ForEach-Object { "$($_.Key)=$($_.RuntimeValue) $($_.Status)" })
                Chains = @($facts.Iptables | ForEach-Object { $_.Chains | ForEach-Object { "$($_.Table)/$($_.Chain) $($_.Exists) $($_.JumpCount)" } })
                Findings = @(Test-DockerHost -Port 5000 | Where-Object Severity -ne 'Info' | ForEach-Object { "$($_.Severity) $($_.Id) $($_.Target)" })
                Service = @(Get-DockerHostService | ForEach-Object { "$($_.Name) $($_.ActiveState)" })
            }
        }
        $normal = Invoke-DockerLabPwsh $lab $read
        $wrap = @('unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64k,mode=755 nobus /run/dbus && exec "$@"', 'sh')
        $nobus = Invoke-DockerLabPwsh $lab -Wrap $wrap $read
        $n = $normal.Output[0]; $o = $nobus.Output[0]
        Write-Host "no D-Bus: firewalld $($o.Firewalld): $($o.FirewalldMessage); findings: $($o.Findings -join ', '); errors: $(@($nobus.Errors.FullyQualifiedErrorId) -join ', ')"
        Assert-ConstantIds $nobus.Errors
        $nobus.Errors | Should -BeNullOrEmpty
        $n.Firewalld | Should -Be 'Running'
        $o.Units | Should -Be $n.Units -Because 'systemctl gives the units D-Bus gave'
        $o.Service | Should -Be $n.Service
        $o.Forwarding | Should -Be $n.Forwarding
        $o.Chains | Should -Be $n.Chains
        $o.Findings | Should -Be $n.Findings -Because 'the verdict is the same'
        $o.Firewalld | Should -Be 'Unreachable'
        $o.FirewalldMessage | Should -Not -BeNullOrEmpty
        # the bus is back for the next run
        (Invoke-DockerLabPwsh $lab $read).Output[0].Firewalld | Should -Be 'Running'
    }
}
