package viewer

// GLSL 3.30 core shaders.

// litVS/litFS draw every solid: directional light with hemisphere ambient and
// a little specular, optional shadow map, a checker and 1 m grid for terrain,
// and distance fog into the horizon colour.
const litVS = `#version 330 core
layout(location = 0) in vec3 aPos;
layout(location = 1) in vec3 aNormal;
uniform mat4 uModel;
uniform mat3 uNormalMat;
uniform mat4 uViewProj;
uniform mat4 uLightVP;
out vec3 vWorld;
out vec3 vNormal;
out vec4 vLight;
void main() {
	vec4 w = uModel * vec4(aPos, 1.0);
	vWorld = w.xyz;
	vNormal = uNormalMat * aNormal;
	vLight = uLightVP * w;
	gl_Position = uViewProj * w;
}
`

const litFS = `#version 330 core
in vec3 vWorld;
in vec3 vNormal;
in vec4 vLight;
uniform vec4 uColor;
uniform vec3 uLightDir;
uniform vec3 uEye;
uniform int uChecker;
uniform float uEmissive;
uniform int uShadows;
uniform sampler2DShadow uShadowMap;
uniform vec3 uFogColor;
uniform vec2 uFog;
out vec4 fragColor;

float shadowed() {
	vec3 p = vLight.xyz / vLight.w * 0.5 + 0.5;
	if (uShadows == 0 || p.x <= 0.0 || p.x >= 1.0 || p.y <= 0.0 || p.y >= 1.0 || p.z >= 1.0) {
		return 1.0;
	}
	// One comparison with linear filtering: the GL blends the four nearest
	// texels' results (2×2 percentage-closer filtering).
	return texture(uShadowMap, vec3(p.xy, p.z - 0.001));
}

void main() {
	vec3 n = normalize(vNormal);
	if (!gl_FrontFacing) {
		n = -n;
	}
	vec3 base = uColor.rgb;
	if (uChecker == 1) {
		vec2 q = vWorld.xy;
		float c = mod(floor(q.x * 2.0) + floor(q.y * 2.0), 2.0);
		base *= mix(0.88, 1.0, c);
		vec2 d = abs(fract(q + 0.5) - 0.5) / max(fwidth(q), vec2(1e-4));
		float line = 1.0 - clamp(min(d.x, d.y) - 0.5, 0.0, 1.0);
		base = mix(base, base * 0.62, line * 0.85);
	}
	float sh = shadowed();
	float diff = max(dot(n, uLightDir), 0.0);
	float hemi = 0.5 + 0.5 * n.z;
	vec3 v = normalize(uEye - vWorld);
	vec3 h = normalize(v + uLightDir);
	float spec = diff > 0.0 ? pow(max(dot(n, h), 0.0), 40.0) * 0.18 * sh : 0.0;
	vec3 col = base * (0.30 + 0.20 * hemi + 0.62 * diff * sh) + vec3(spec);
	col = mix(col, base, uEmissive);
	float f = clamp((length(uEye - vWorld) - uFog.x) / (uFog.y - uFog.x), 0.0, 1.0);
	fragColor = vec4(mix(col, uFogColor, f), uColor.a);
}
`

// depthVS/depthFS render the shadow map.
const depthVS = `#version 330 core
layout(location = 0) in vec3 aPos;
uniform mat4 uModel;
uniform mat4 uLightVP;
void main() {
	gl_Position = uLightVP * uModel * vec4(aPos, 1.0);
}
`

const depthFS = `#version 330 core
void main() {
}
`

// skyVS/skyFS fill the background with a gradient from the horizon to the
// zenith along each pixel's view ray (one triangle covering the screen). The
// ray is affine in screen position, so the vertex shader computes it at the
// corners and the fragment shader only normalises it.
const skyVS = `#version 330 core
uniform mat4 uInvViewProj;
out vec3 vDir;
void main() {
	vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2)) * 2.0 - 1.0;
	vec4 a = uInvViewProj * vec4(p, -1.0, 1.0);
	vec4 b = uInvViewProj * vec4(p, 1.0, 1.0);
	vDir = b.xyz / b.w - a.xyz / a.w;
	gl_Position = vec4(p, 0.0, 1.0);
}
`

const skyFS = `#version 330 core
in vec3 vDir;
uniform vec3 uZenith;
uniform vec3 uHorizon;
uniform vec3 uGround;
out vec4 fragColor;
void main() {
	float z = normalize(vDir).z;
	vec3 c = z >= 0.0 ? mix(uHorizon, uZenith, sqrt(z)) : mix(uHorizon, uGround, clamp(-z * 3.0, 0.0, 1.0));
	fragColor = vec4(c, 1.0);
}
`

// textVS/textFS draw screen-space glyphs and panels from the font atlas.
const textVS = `#version 330 core
layout(location = 0) in vec2 aPos;
layout(location = 1) in vec2 aUV;
layout(location = 2) in vec4 aColor;
uniform vec2 uScreen;
out vec2 vUV;
out vec4 vColor;
void main() {
	vUV = aUV;
	vColor = aColor;
	gl_Position = vec4(aPos.x / uScreen.x * 2.0 - 1.0, 1.0 - aPos.y / uScreen.y * 2.0, 0.0, 1.0);
}
`

const textFS = `#version 330 core
in vec2 vUV;
in vec4 vColor;
uniform sampler2D uAtlas;
out vec4 fragColor;
void main() {
	fragColor = vec4(vColor.rgb, vColor.a * texture(uAtlas, vUV).r);
}
`
