<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CompareDialog</name>
    <message numerus="yes">
        <source>%n step(s) per block</source>
        <translation>
            <numerusform>%n step per block</numerusform>
            <numerusform>%n steps per block</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Generating %n run(s) one after another…</source>
        <translation>
            <numerusform>Generating %n run…</numerusform>
            <numerusform>Generating %n runs one after another…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ControlsDock</name>
    <message numerus="yes">
        <source>Use blocks of %n tokens.</source>
        <translation>
            <numerusform>Use blocks of %n token.</numerusform>
            <numerusform>Use blocks of %n tokens.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>One block as long as the whole context (%n tokens): plain masked diffusion (MDLM).</source>
        <translation>
            <numerusform>One block as long as the whole context (%n token): plain masked diffusion (MDLM).</numerusform>
            <numerusform>One block as long as the whole context (%n tokens): plain masked diffusion (MDLM).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message numerus="yes">
        <source>Thinking (%n word(s))</source>
        <translation>
            <numerusform>Thinking (%n word)</numerusform>
            <numerusform>Thinking (%n words)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Trace opened: %n block(s) to replay (F10 steps through them).</source>
        <translation>
            <numerusform>Trace opened: %n block to replay (F10 steps through it).</numerusform>
            <numerusform>Trace opened: %n blocks to replay (F10 steps through them).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n NFE(s)</source>
        <translation>
            <numerusform>%n NFE</numerusform>
            <numerusform>%n NFEs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>BD3 Studio did not close properly last time. Restore the session it saved (%n generation(s))?</source>
        <translation>
            <numerusform>BD3 Studio did not close properly last time. Restore the session it saved (%n generation)?</numerusform>
            <numerusform>BD3 Studio did not close properly last time. Restore the session it saved (%n generations)?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n CPU thread(s)</source>
        <translation>
            <numerusform>%n CPU thread</numerusform>
            <numerusform>%n CPU threads</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PaceControl</name>
    <message numerus="yes">
        <source>%L1 step(s) per second</source>
        <translation>
            <numerusform>%L1 step per second</numerusform>
            <numerusform>%L1 steps per second</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PlotsPanel</name>
    <message numerus="yes">
        <source>Throughput per %n block(s)</source>
        <translation>
            <numerusform>Throughput per block</numerusform>
            <numerusform>Throughput per %n blocks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StepExplainer</name>
    <message numerus="yes">
        <source>&lt;p&gt;%n position(s) start as [MASK]: the model has to fill them in.</source>
        <translation>
            <numerusform>&lt;p&gt;%n position starts as [MASK]: the model has to fill it in.</numerusform>
            <numerusform>&lt;p&gt;%n positions start as [MASK]: the model has to fill them in.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> The first %n token(s) are already known from the prompt.</source>
        <translation>
            <numerusform> The first token is already known from the prompt.</numerusform>
            <numerusform> The first %n tokens are already known from the prompt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>&lt;p&gt;Revealed %n token(s):&lt;/p&gt;</source>
        <translation>
            <numerusform>&lt;p&gt;Revealed %n token:&lt;/p&gt;</numerusform>
            <numerusform>&lt;p&gt;Revealed %n tokens:&lt;/p&gt;</numerusform>
        </translation>
    </message>
</context>
</TS>
