# Trace-DockerHostPort without a lab: bad input stops the command with a constant id before anything is added, -WhatIf
# shows the table it would add and adds nothing, and the view is there. The traces themselves: Trace.Lab.Tests.ps1.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    function script:ErrorOf([scriptblock] $Block) { try { & $Block; $null } catch { $_ } }
}

Describe 'Trace-DockerHostPort input and -WhatIf' {
    It '<Case>: <Id>, InvalidArgument, the value as target' -ForEach @(
        @{ Case = 'port 0'; Block = { Trace-DockerHostPort -Port 0 }; Id = 'InvalidPort'; Target = 0 }
        @{ Case = 'port 70000'; Block = { Trace-DockerHostPort -Port 70000 }; Id = 'InvalidPort'; Target = 70000 }
        @{ Case = 'a bad -From'; Block = { Trace-DockerHostPort -Port 5000 -From 'not-an-address' }; Id = 'InvalidFrom'; Target = 'not-an-address' }
        @{ Case = 'a bad prefix'; Block = { Trace-DockerHostPort -Port 5000 -From '198.51.100.0/40' }; Id = 'InvalidFrom'; Target = '198.51.100.0/40' }
        @{ Case = '-Count 0'; Block = { Trace-DockerHostPort -Port 5000 -Count 0 }; Id = 'InvalidCount'; Target = 0 }
        @{ Case = '-Duration 0'; Block = { Trace-DockerHostPort -Port 5000 -Duration 0 }; Id = 'InvalidDuration'; Target = [TimeSpan]::Zero }
    ) {
        $e = ErrorOf $Block
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -Be "$Id,DockerHostTools.Commands.TraceDockerHostPortCommand"
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be $Target
    }

    It 'a bad -Protocol is refused by PowerShell''s validation' {
        (ErrorOf { Trace-DockerHostPort -Port 5000 -Protocol sctp }).FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
    }

    It '-WhatIf shows the table inet dht_trace with the port, the client and the count, and adds nothing' {
        # What if: goes to the host, not the pipeline: read it from a child pwsh's standard output.
        $exe = (Get-Process -Id $PID).Path
        $pre = @(if ((Split-Path $exe -Leaf) -like 'dotnet*') { [Environment]::GetCommandLineArgs()[0] })
        $out = & $exe @pre -NoProfile -NonInteractive -Command "Import-Module '$env:DHT_MODULE_PATH'; Trace-DockerHostPort -Port 5000 -From 198.51.100.2 -Count 3 -WhatIf" 2>&1 | Out-String
        $out | Should -Match 'What if: .*Add the trace table'
        $out | Should -Match 'table inet dht_trace'
        $out | Should -Match 'tcp dport 5000 tcp flags & \(syn \| ack\) == syn ip saddr 198.51.100.2'
        $out | Should -Match 'size 3;'
        $out | Should -Match 'priority -350'
        if (Get-Command nft -ErrorAction Ignore) { "$(nft list tables 2>$null)" | Should -Not -Match 'dht_trace' }
    }

    It 'the TracedPacket view is loaded' {
        Get-FormatData -TypeName DockerHostTools.Core.Trace.TracedPacket | Should -Not -BeNullOrEmpty
    }
}
