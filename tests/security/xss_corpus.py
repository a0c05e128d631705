"""A corpus of cross-site scripting vectors, each calling ``__xss(N)`` if it ever runs.

Drawn from the classic filter-evasion families (OWASP's cheat sheet, HTML5 Security Cheatsheet, mXSS
papers): script elements, event attributes, URLs with javascript:/data:/vbscript: and their encodings, SVG
and MathML, frames and objects, CSS, meta refresh and base, form actions, malformed and nested markup,
comments and CDATA, mutation-based (mXSS) tricks. ``VECTORS[i]`` calls ``__xss(i)`` (``§`` in a template).
"""

from __future__ import annotations

import base64

_TEMPLATES = [
    # Script elements
    "<script>§</script>",
    "<SCRIPT>§</SCRIPT>",
    "<script src=data:text/javascript,§></script>",
    "<script>/*</script><script>*/§</script>",
    "<scr<script>ipt>§</scr</script>ipt>",
    "<script\x0d>§</script>",
    '<script type="text/javascript">§</script>',
    "<script>§//",
    "<<script>§//<</script>",
    "<script/src=data:,§></script>",
    # Event attributes
    "<img src=x onerror=§>",
    '<img src="x" onerror="§">',
    '<img src=x onerror="&#80;" onload=§>',
    "<IMG SRC=x ONERROR=§>",
    "<img src=x:alert(1) onerror=§>",
    "<img/src=x/onerror=§>",
    "<img src=x onerror\x0b=§>",
    "<img src=`x` onerror=§>",
    "<body onload=§>",
    "<div onmouseover=§>survol</div>",
    '<a href="#" onclick="§">clic</a>',
    "<input autofocus onfocus=§>",
    "<select autofocus onfocus=§></select>",
    "<textarea autofocus onfocus=§></textarea>",
    "<details open ontoggle=§>",
    "<video src=x onerror=§></video>",
    "<audio src=x onerror=§></audio>",
    "<video><source onerror=§></video>",
    "<marquee onstart=§>x</marquee>",
    "<p onpointerenter=§>x</p>",
    '<div style="width:100px;height:100px" onmouseenter=§></div>',
    "<img src=x onerror=&#x5f;&#x5f;xss(§)>",
    "<iframe onload=§></iframe>",
    "<object onerror=§></object>",
    "<b onclick=§>gras</b>",
    # URLs
    '<a href="javascript:§">lien</a>',
    '<a href="JaVaScRiPt:§">lien</a>',
    '<a href=" javascript:§">lien</a>',
    '<a href="java\tscript:§">lien</a>',
    '<a href="java\nscript:§">lien</a>',
    '<a href="java&#x09;script:§">lien</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;§">lien</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;§">lien</a>',
    '<a href="javascript&colon;§">lien</a>',
    '<a href="data:text/html,<script>§</script>">lien</a>',
    '<a href="data:text/html;base64,{B64}">lien</a>',
    '<a href="vbscript:§">lien</a>',
    '<a href="\x01javascript:§">lien</a>',
    '<img src="javascript:§">',
    '<a href="javas&#99;ript:§">lien</a>',
    '<a href="jav&#x0A;ascript:§">lien</a>',
    '<a href="javascript://%0a§">lien</a>',
    '<form action="javascript:§"><button>envoyer</button></form>',
    '<button formaction="javascript:§">envoyer</button>',
    '<input type="image" src="x" formaction="javascript:§">',
    '<a xlink:href="javascript:§">lien</a>',
    # SVG and MathML
    "<svg onload=§>",
    "<svg><script>§</script></svg>",
    "<svg><animate onbegin=§ attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:§"><text x="20" y="20">lien</text></a></svg>',
    "<svg><set attributeName=onmouseover to=§>",
    "<svg><foreignObject><img src=x onerror=§></foreignObject></svg>",
    "<svg><style><img src=x onerror=§></style></svg>",
    '<svg><use href="data:image/svg+xml,<svg id=x><script>§</script></svg>#x"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=§>",
    '<math href="javascript:§">CLIC</math>',
    "<svg><desc><![CDATA[</desc><script>§</script>]]></svg>",
    '<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">§</handler></svg>',
    # Frames, objects, embeds
    '<iframe src="javascript:§"></iframe>',
    '<iframe srcdoc="<script>parent.§</script>"></iframe>',
    '<iframe src="data:text/html,<script>parent.§</script>"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com/embed/x" onload="§"></iframe>',
    '<object data="javascript:§"></object>',
    '<object data="data:text/html,<script>parent.§</script>"></object>',
    '<embed src="javascript:§">',
    '<embed src="data:image/svg+xml,<svg onload=parent.§>">',
    "<frameset onload=§>",
    '<applet code="javascript:§"></applet>',
    # CSS
    '<div style="background:url(javascript:§)">x</div>',
    '<div style="x:expression(§)">x</div>',
    "<style>@import 'javascript:§';</style>",
    '<style>body{background:url("javascript:§")}</style>',
    '<link rel="stylesheet" href="javascript:§">',
    "<style onload=§></style>",
    # Meta, base, forms
    '<meta http-equiv="refresh" content="0;url=javascript:§">',
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>§</script>">',
    '<base href="javascript:§//">',
    '<form><input name="x" value="1" onfocus="§" autofocus></form>',
    '<isindex action="javascript:§" type="submit">',
    "<keygen autofocus onfocus=§>",
    # Malformed and nested markup
    '<img """><script>§</script>">',
    "<<img src=x onerror=§>>",
    "<img src=x onerror=§//",
    '<a href="x""onclick=§>lien</a>',
    "<div/onmouseover=§>x</div>",
    "<img src=x onerror=§\x00>",
    "<scr\x00ipt>§</scr\x00ipt>",
    '"><script>§</script>',
    "'><img src=x onerror=§>",
    "</textarea><script>§</script>",
    "</title><script>§</script>",
    "</style><script>§</script>",
    "</script><script>§</script>",
    "<plaintext><script>§</script>",
    "<xmp><img src=x onerror=§></xmp>",
    '<noscript><p title="</noscript><img src=x onerror=§>">',
    '<noembed><img title="</noembed><img src=x onerror=§>"></noembed>',
    "<template><img src=x onerror=§></template>",
    '<table><td background="javascript:§">',
    '<!--<img src="--><img src=x onerror=§//">',
    "<!--[if gte IE 4]><script>§</script><![endif]-->",
    "<![CDATA[<script>§</script>]]>",
    '<?xml version="1.0"?><script>§</script>',
    '<a href="x">&lt;script&gt;§&lt;/script&gt;</a>',
    # Encodings and mXSS
    "&lt;img src=x onerror=§&gt;",
    "<img src=x onerror=\\u005f\\u005fxss(§)>",
    '<p title="&quot;&gt;&lt;img src=x onerror=§&gt;">x</p>',
    '<a title="`"onmouseover=§>x</a>',
    "<listing>&lt;img src=x onerror=§&gt;</listing>",
    '<svg></p><style><a id="</style><img src=1 onerror=§>">',
    '<math><mi><a href="javascript:§">lien</a></mi></math>',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=§>",
    '<div id="x" data-bind="§">x</div><script>eval(document.getElementById(\'x\').dataset.bind)</script>',
    '<img srcset="x 1x" onerror="§">',
    '<picture><source srcset="x"><img src="x" onerror="§"></picture>',
    '<a href="https://example.org" target="_blank" rel="opener" onclick="§">lien</a>',
]


def _vector(template: str, number: int) -> str:
    call = f"__xss({number})"
    encoded = base64.b64encode(f"<script>{call}</script>".encode()).decode()
    return template.replace("{B64}", encoded).replace("xss(§)", f"xss({number})").replace("§", call)


VECTORS: list[str] = [_vector(template, number) for number, template in enumerate(_TEMPLATES)]
